using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Data.Transforms;

/// <summary>Resizing helpers of the data pipeline.</summary>
public static class DataFunctional
{
    /// <summary>Bicubic resize of N x C x H x W input to <paramref name="size"/> (like F.interpolate mode="bicubic").</summary>
    public static Tensor InterpolateBicubic(Tensor input, (long Height, long Width) size, bool alignCorners = false) =>
        nn.functional.interpolate(input, [size.Height, size.Width], mode: InterpolationMode.Bicubic, align_corners: alignCorners);

    /// <summary>Area (box-filter) resize of N x C x H x W input, as F.interpolate mode="area".</summary>
    public static Tensor InterpolateArea(Tensor input, (long Height, long Width) size) =>
        nn.functional.adaptive_avg_pool2d(input, [size.Height, size.Width]);

    /// <summary>
    /// Nearest-neighbour resize of the last two dimensions of an integer (or any) tensor by index selection:
    /// values are copied, never mixed. Pixel centres are matched (src = floor((dst + 0.5) * in / out), PyTorch's
    /// "nearest-exact" and PIL's rule), so a resized mask stays aligned with a bilinearly resized image.
    /// </summary>
    public static Tensor ResizeNearest(Tensor input, (long Height, long Width) size)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() < 2) throw new ArgumentException($"expected at least 2 dimensions, got {TensorData.ShapeOf(input)}", nameof(input));
        if (size.Height <= 0 || size.Width <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "size must be positive");
        using var rows = NearestIndices(input.size(-2), size.Height, input.device);
        using var columns = NearestIndices(input.size(-1), size.Width, input.device);
        using var selectedRows = input.index_select(input.dim() - 2, rows);
        return selectedRows.index_select(input.dim() - 1, columns);
    }

    private static Tensor NearestIndices(long inputSize, long outputSize, Device device)
    {
        var indices = new long[outputSize];
        double scale = (double)inputSize / outputSize;
        for (long k = 0; k < outputSize; k++) indices[k] = Math.Min((long)Math.Floor((k + 0.5) * scale), inputSize - 1);
        return TensorData.FromSpan<long>(indices, [outputSize], device);
    }
}
