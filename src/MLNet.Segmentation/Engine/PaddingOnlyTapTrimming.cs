namespace MLNet.Segmentation.Engine;

/// <summary>
/// Drops the kernel taps of a convolution that read nothing but zero padding at every output position. A dilated
/// convolution whose dilation reaches past the feature map is the case that matters: DeepLab's ASPP branch with
/// dilation 18 on the 16x16 map of a 256x256 image (output stride 16) reads the input only through its centre tap, so
/// it is a 1x1 convolution that libtorch would still run as a 3x3 one, forward and backward. The dropped taps multiply
/// zeros only, so the result is the same sum without its zero terms, and their weight gradient is exactly zero, which
/// the narrowed view's backward gives. Only a symmetric trim is made (the same number of taps off each end of a
/// dimension), so the padding stays symmetric and the output size stays the same. The one observable difference from
/// libtorch's convolution: a NaN or infinity in a dropped tap no longer turns the output into NaN (NaN x 0). On by
/// default; <see cref="Enabled"/> or <c>MLSEG_TRIM_PADDING_TAPS=0</c> turns it off.
/// </summary>
public static class PaddingOnlyTapTrimming
{
    /// <summary>The environment variable that turns trimming off when set to 0.</summary>
    public const string EnabledVariable = "MLSEG_TRIM_PADDING_TAPS";

    /// <summary>Whether convolutions drop taps that read only padding (default: on unless the environment variable is 0).</summary>
    public static bool Enabled { get; set; } = Environment.GetEnvironmentVariable(EnabledVariable)?.Trim() != "0";

    /// <summary>The taps to keep along one spatial dimension.</summary>
    internal readonly record struct Trim(long FirstTap, long Taps, long Padding, long Dilation)
    {
        /// <summary>Whether this keeps every tap.</summary>
        public bool KeepsAll(long kernel) => Taps == kernel;
    }

    /// <summary>
    /// The trimmed weight, padding and dilation when some taps only read padding; <c>null</c> when every tap reads the
    /// input somewhere, when trimming is off, or when the operands are not a well-formed 2-D convolution (aten::conv2d
    /// then reports that).
    /// </summary>
    internal static (Tensor Weight, Size2 Padding, Size2 Dilation)? TryTrim(Tensor input, Tensor weight, Size2 stride, Size2 padding,
        Size2 dilation, long groups)
    {
        if (!Enabled || input.Dim != 4 || weight.Dim != 4 || groups < 1 || input.Size(1) != weight.Size(1) * groups) return null;
        var kh = weight.Size(2);
        var kw = weight.Size(3);
        var rows = Along(input.Size(2), kh, stride.Height, padding.Height, dilation.Height);
        var columns = Along(input.Size(3), kw, stride.Width, padding.Width, dilation.Width);
        if (rows is not { } r || columns is not { } c || (r.KeepsAll(kh) && c.KeepsAll(kw))) return null;
        var trimmed = weight.Narrow(2, r.FirstTap, r.Taps).Narrow(3, c.FirstTap, c.Taps);
        return (trimmed, new Size2(r.Padding, c.Padding), new Size2(r.Dilation, c.Dilation));
    }

    /// <summary>
    /// The symmetric trim along a dimension of <paramref name="size"/> input values, or <c>null</c> when the parameters
    /// are not valid for a convolution (left to aten::conv2d).
    /// </summary>
    internal static Trim? Along(long size, long kernel, long stride, long padding, long dilation)
    {
        if (size < 1 || kernel < 1 || stride < 1 || padding < 0 || dilation < 1) return null;
        var span = size + 2 * padding - dilation * (kernel - 1) - 1;
        if (span < 0) return null;
        var outputs = span / stride + 1;
        var dead = 0L;
        while (2 * (dead + 1) <= kernel - 1 && (dead + 1) * dilation <= padding && !Reads(dead, size, outputs, stride, padding, dilation)
               && !Reads(kernel - 1 - dead, size, outputs, stride, padding, dilation))
            dead++;
        var taps = kernel - 2 * dead;
        return new Trim(dead, taps, padding - dead * dilation, taps == 1 ? 1 : dilation);
    }

    /// <summary>Whether tap <paramref name="tap"/> reads an input value (not padding) at some output position.</summary>
    private static bool Reads(long tap, long size, long outputs, long stride, long padding, long dilation)
    {
        // Output y reads input index y * stride + offset, which rises with y: the tap reads the input iff the first
        // output whose index is at least 0 exists and its index is within the input (strides may step over it all).
        var offset = tap * dilation - padding;
        var y = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
        return y < outputs && y * stride + offset <= size - 1;
    }
}
