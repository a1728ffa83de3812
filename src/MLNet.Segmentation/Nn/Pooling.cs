using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Nn;

/// <summary>Max pooling (torch.nn.MaxPool2d); <see cref="ForwardWithIndices"/> also returns the argmax positions for unpooling.</summary>
public sealed class MaxPool2d(Size2 kernelSize, Size2? stride = null, Size2? padding = null, Size2? dilation = null, bool ceilMode = false) : Module
{
    /// <summary>Window size.</summary>
    public Size2 KernelSize { get; } = kernelSize;

    /// <summary>Stride (the window size by default).</summary>
    public Size2 Stride { get; } = stride ?? kernelSize;

    /// <summary>Implicit -inf padding.</summary>
    public Size2 Padding { get; } = padding ?? 0;

    /// <summary>Window dilation.</summary>
    public Size2 Dilation { get; } = dilation ?? 1;

    /// <summary>Rounds output sizes up instead of down.</summary>
    public bool CeilMode { get; } = ceilMode;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.MaxPool2d(input, KernelSize, Stride, Padding, Dilation, CeilMode);

    /// <summary>The pooled output and the flat per-plane index of each maximum (for <see cref="MaxUnpool2d"/>).</summary>
    public (Tensor Output, Tensor Indices) ForwardWithIndices(Tensor input) =>
        Functional.MaxPool2dWithIndices(input, KernelSize, Stride, Padding, Dilation, CeilMode);
}

/// <summary>
/// Max unpooling (torch.nn.MaxUnpool2d): writes each value at its remembered max-pooling index in a zero map.
/// Give the pre-pooling size explicitly so odd sizes round-trip.
/// </summary>
public sealed class MaxUnpool2d(Size2 kernelSize, Size2? stride = null, Size2? padding = null) : Module
{
    /// <summary>Window size of the matching pooling.</summary>
    public Size2 KernelSize { get; } = kernelSize;

    /// <summary>Stride of the matching pooling.</summary>
    public Size2 Stride { get; } = stride ?? kernelSize;

    /// <summary>Padding of the matching pooling.</summary>
    public Size2 Padding { get; } = padding ?? 0;

    /// <summary>Not supported: unpooling needs indices; use <see cref="Forward(Tensor, Tensor, Size2?)"/>.</summary>
    public override Tensor Forward(Tensor input) =>
        throw new InvalidOperationException("MaxUnpool2d needs the pooling indices: call Forward(input, indices, outputSize)");

    /// <summary>Unpools to <paramref name="outputSize"/>, by default (in - 1) * stride - 2 * padding + kernel.</summary>
    public Tensor Forward(Tensor input, Tensor indices, Size2? outputSize = null)
    {
        var size = outputSize ?? new Size2(
            (input.Size(2) - 1) * Stride.Height - 2 * Padding.Height + KernelSize.Height,
            (input.Size(3) - 1) * Stride.Width - 2 * Padding.Width + KernelSize.Width);
        return Functional.MaxUnpool2d(input, indices, size);
    }
}

/// <summary>Adaptive average pooling to a fixed output size (1 = global average pooling).</summary>
public sealed class AdaptiveAvgPool2d(Size2 outputSize) : Module
{
    /// <summary>Output size.</summary>
    public Size2 OutputSize { get; } = outputSize;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.AdaptiveAvgPool2d(input, OutputSize);
}
