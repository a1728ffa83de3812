namespace MLNet.Segmentation.Engine;

/// <summary>How a 4-D tensor's elements are ordered in memory (torch.memory_format; values as in libtorch).</summary>
public enum MemoryFormat
{
    /// <summary>N, C, H, W from slowest to fastest (torch.contiguous_format).</summary>
    Contiguous = 0,

    /// <summary>Keep the input's layout (torch.preserve_format).</summary>
    Preserve = 1,

    /// <summary>N, H, W, C from slowest to fastest (torch.channels_last): oneDNN's and cuDNN's preferred convolution layout.</summary>
    ChannelsLast = 2,
}

/// <summary>Puts model inputs into the layout a trainer or predictor was asked for.</summary>
internal static class MemoryFormatExtensions
{
    /// <summary><paramref name="images"/> in channels-last when <paramref name="format"/> asks for it; otherwise unchanged.</summary>
    public static Tensor InLayout(this Tensor images, MemoryFormat format) =>
        format == MemoryFormat.ChannelsLast ? images.Contiguous(MemoryFormat.ChannelsLast) : images;

    /// <summary>
    /// True for a 4-D tensor laid out channels-last and not also contiguous (libtorch's suggest_memory_format): the
    /// layout an op's output should keep.
    /// </summary>
    public static bool IsChannelsLastOnly(this Tensor tensor) =>
        tensor.Dim == 4 && tensor.IsContiguous(MemoryFormat.ChannelsLast) && !tensor.IsContiguous(MemoryFormat.Contiguous);
}
