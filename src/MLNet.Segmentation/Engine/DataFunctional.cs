using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

/// <summary>Resizing helpers used by the data pipeline.</summary>
public static class DataFunctional
{
    /// <summary>Bicubic resize of N x C x H x W input to <paramref name="size"/> (like F.interpolate mode="bicubic").</summary>
    public static Tensor InterpolateBicubic(Tensor input, Size2 size, bool alignCorners = false)
    {
        var a = new OpArgs();
        return Ops.UpsampleBicubic2d.Tensor(ref a.T(input).Ints(size.Height, size.Width).B(alignCorners).None().None());
    }

    /// <summary>Area (box-filter) resize of N x C x H x W input, as F.interpolate mode="area".</summary>
    public static Tensor InterpolateArea(Tensor input, Size2 size) => Functional.AdaptiveAvgPool2d(input, size);

    /// <summary>
    /// Nearest-neighbour resize of the last two dimensions of an integer (or any) tensor by index selection:
    /// values are copied, never mixed. Pixel centres are matched (src = floor((dst + 0.5) * in / out), PyTorch's
    /// "nearest-exact" and PIL's rule), so a resized mask stays aligned with a bilinearly resized image.
    /// </summary>
    public static Tensor ResizeNearest(Tensor input, Size2 size)
    {
        if (input.Dim < 2) throw new ArgumentException($"expected at least 2 dimensions, got {input.ShapeString}", nameof(input));
        if (size.Height <= 0 || size.Width <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "size must be positive");
        using var rows = NearestIndices(input.Size(-2), size.Height, input.Device);
        using var columns = NearestIndices(input.Size(-1), size.Width, input.Device);
        using var selectedRows = input.IndexSelect(input.Dim - 2, rows);
        return selectedRows.IndexSelect(input.Dim - 1, columns);
    }

    private static Tensor NearestIndices(long inputSize, long outputSize, Device device)
    {
        var indices = new long[outputSize];
        double scale = (double)inputSize / outputSize;
        for (long k = 0; k < outputSize; k++) indices[k] = Math.Min((long)Math.Floor((k + 0.5) * scale), inputSize - 1);
        var host = Tensor.FromArray(indices);
        if (device.IsCpu) return host;
        using (host) return host.To(device);
    }
}
