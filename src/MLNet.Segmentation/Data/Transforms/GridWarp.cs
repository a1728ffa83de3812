using MLNet.Segmentation.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Data.Transforms;

/// <summary>Resampling of an image/mask pair through a sampling grid (rotation, elastic deformation).</summary>
internal static class GridWarp
{
    /// <summary>The identity grid's x and y (H x W each) in normalized coordinates (align_corners = false).</summary>
    internal static (Tensor X, Tensor Y) BaseGrid(long height, long width, Device device)
    {
        using var xs = linspace(-1 + 1.0 / width, 1 - 1.0 / width, width, ScalarType.Float32, device);
        using var ys = linspace(-1 + 1.0 / height, 1 - 1.0 / height, height, ScalarType.Float32, device);
        using var row = xs.view(1, width);
        using var column = ys.view(height, 1);
        return (row.expand(height, width), column.expand(height, width));
    }

    /// <summary>
    /// Samples the image bilinearly and the mask by nearest neighbour at grid (x, y) (each H x W).
    /// With <paramref name="maskFill"/> null both use mirror padding outside the input; otherwise the image
    /// is zero outside and the mask takes <paramref name="maskFill"/>.
    /// </summary>
    internal static (Tensor Image, Tensor Mask) Sample(Tensor image, Tensor mask, Tensor x, Tensor y, long? maskFill)
    {
        using var stacked = stack([x, y], -1);
        using var grid = stacked.unsqueeze(0);
        var padding = maskFill is null ? GridSamplePaddingMode.Reflection : GridSamplePaddingMode.Zeros;
        using var batch = image.unsqueeze(0);
        using var warped = nn.functional.grid_sample(batch, grid, GridSampleMode.Bilinear, padding, align_corners: false);
        var outImage = warped.squeeze(0);

        // Masks go through grid_sample as floats (exact for ids below 2^24) by nearest neighbour.
        using var maskFloat = mask.to_type(ScalarType.Float32);
        if (maskFill is not { } fill)
        {
            using var maskBatch = maskFloat.unsqueeze(0).unsqueeze(0);
            using var sampled = nn.functional.grid_sample(maskBatch, grid, GridSampleMode.Nearest, GridSamplePaddingMode.Reflection, align_corners: false);
            using var plane = sampled.squeeze(0).squeeze(0);
            return (outImage, plane.to_type(ScalarType.Int64));
        }
        // Shift ids by one so that 0 marks "outside", then put the fill there.
        using var shifted = maskFloat.Plus(1.0);
        using var shiftedBatch = shifted.unsqueeze(0).unsqueeze(0);
        using var sampledShifted = nn.functional.grid_sample(shiftedBatch, grid, GridSampleMode.Nearest, GridSamplePaddingMode.Zeros, align_corners: false);
        using var ids = sampledShifted.squeeze(0).squeeze(0).to_type(ScalarType.Int64);
        using var outside = ids.EqualTo(0);
        using var back = ids.Minus(1L);
        return (outImage, back.MaskedFill(outside, fill));
    }
}
