using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Data.Transforms;

/// <summary>Resampling of an image/mask pair through a sampling grid (rotation, elastic deformation).</summary>
internal static class GridWarp
{
    /// <summary>The identity grid's x and y (H x W each) in normalized coordinates (align_corners = false).</summary>
    internal static (Tensor X, Tensor Y) BaseGrid(long height, long width, Device device)
    {
        using var xs = Tensor.Linspace(-1 + 1.0 / width, 1 - 1.0 / width, width, DType.Float32, device);
        using var ys = Tensor.Linspace(-1 + 1.0 / height, 1 - 1.0 / height, height, DType.Float32, device);
        using var row = xs.View(1, width);
        using var column = ys.View(height, 1);
        return (row.Expand(height, width), column.Expand(height, width));
    }

    /// <summary>
    /// Samples the image bilinearly and the mask by nearest neighbour at grid (x, y) (each H x W).
    /// With <paramref name="maskFill"/> null both use mirror padding outside the input; otherwise the image
    /// is zero outside and the mask takes <paramref name="maskFill"/>.
    /// </summary>
    internal static (Tensor Image, Tensor Mask) Sample(Tensor image, Tensor mask, Tensor x, Tensor y, long? maskFill)
    {
        using var stacked = Tensor.Stack([x, y], -1);
        using var grid = stacked.Unsqueeze(0);
        var padding = maskFill is null ? GridPadding.Reflection : GridPadding.Zeros;
        using var batch = image.Unsqueeze(0);
        using var warped = Functional.GridSample(batch, grid, InterpolationMode.Bilinear, padding);
        var outImage = warped.Squeeze(0);

        // Masks go through grid_sample as floats (exact for ids below 2^24) by nearest neighbour.
        using var maskFloat = mask.To(DType.Float32);
        if (maskFill is not { } fill)
        {
            using var maskBatch = maskFloat.Unsqueeze(0).Unsqueeze(0);
            using var sampled = Functional.GridSample(maskBatch, grid, InterpolationMode.Nearest, GridPadding.Reflection);
            using var plane = sampled.Squeeze(0).Squeeze(0);
            return (outImage, plane.To(DType.Int64));
        }
        // Shift ids by one so that 0 marks "outside", then put the fill there.
        using var shifted = maskFloat + 1.0;
        using var shiftedBatch = shifted.Unsqueeze(0).Unsqueeze(0);
        using var sampledShifted = Functional.GridSample(shiftedBatch, grid, InterpolationMode.Nearest, GridPadding.Zeros);
        using var ids = sampledShifted.Squeeze(0).Squeeze(0).To(DType.Int64);
        using var outside = ids.Eq(0);
        using var back = ids - 1L;
        return (outImage, back.MaskedFill(outside, fill));
    }
}
