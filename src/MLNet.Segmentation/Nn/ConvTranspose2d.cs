using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Nn;

/// <summary>
/// 2-D transposed convolution (torch.nn.ConvTranspose2d): "weight" is in x out/groups x kh x kw, optional "bias".
/// </summary>
public sealed class ConvTranspose2d : Module
{
    /// <summary>A transposed convolution initialized like PyTorch from <paramref name="generator"/>.</summary>
    public ConvTranspose2d(long inChannels, long outChannels, Size2 kernelSize, Size2? stride = null, Size2? padding = null,
        Size2? outputPadding = null, long groups = 1, bool bias = true, Size2? dilation = null, Generator? generator = null)
    {
        Conv2d.CheckChannels(inChannels, outChannels, groups);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride ?? 1;
        Padding = padding ?? 0;
        OutputPadding = outputPadding ?? 0;
        Dilation = dilation ?? 1;
        Groups = groups;
        var weight = Tensor.Empty([inChannels, outChannels / groups, kernelSize.Height, kernelSize.Width]);
        Init.DefaultConvolution(weight, generator);
        RegisterParameter("weight", weight);
        if (bias)
        {
            var b = Tensor.Empty([outChannels]);
            Init.Uniform(b, 1.0 / Math.Sqrt(Init.Fans(weight).FanIn), generator);
            RegisterParameter("bias", b);
        }
    }

    /// <summary>
    /// A channel-wise upsampling by an integer <paramref name="factor"/> (kernel 2f, stride f, padding f/2, no bias)
    /// initialized to bilinear interpolation, as FCN's upscore layers; output size = input size x f.
    /// </summary>
    public static ConvTranspose2d BilinearUpsampling(long channels, int factor, bool bias = false)
    {
        if (factor < 2 || factor % 2 != 0) throw new ArgumentOutOfRangeException(nameof(factor), factor, "the factor must be even and at least 2");
        var layer = new ConvTranspose2d(channels, channels, 2 * factor, factor, factor / 2, bias: bias);
        layer.InitializeBilinear();
        return layer;
    }

    /// <summary>Input channels.</summary>
    public long InChannels { get; }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <summary>Kernel size.</summary>
    public Size2 KernelSize { get; }

    /// <summary>Stride (the upsampling factor).</summary>
    public Size2 Stride { get; }

    /// <summary>Padding removed from each side of the full output.</summary>
    public Size2 Padding { get; }

    /// <summary>Extra rows/columns added at the bottom/right.</summary>
    public Size2 OutputPadding { get; }

    /// <summary>Dilation.</summary>
    public Size2 Dilation { get; }

    /// <summary>Channel groups.</summary>
    public long Groups { get; }

    /// <summary>The kernel.</summary>
    public Tensor Weight => Parameter("weight");

    /// <summary>The bias, or null.</summary>
    public Tensor? Bias => OptionalParameter("bias");

    /// <summary>
    /// Sets the kernel to bilinear interpolation applied to each channel separately (zero across channels) and the
    /// bias to zero; needs InChannels == OutChannels.
    /// </summary>
    public void InitializeBilinear()
    {
        if (InChannels != OutChannels || KernelSize.Height != KernelSize.Width)
            throw new InvalidOperationException("bilinear initialization needs as many input as output channels and a square kernel");
        int k = (int)KernelSize.Height;
        var kernel = Init.BilinearKernel(k);
        long perGroupOut = OutChannels / Groups;
        var values = new float[InChannels * perGroupOut * k * k];
        for (long c = 0; c < InChannels; c++)
        {
            long o = perGroupOut == 1 ? 0 : c % perGroupOut;
            kernel.CopyTo(values, (c * perGroupOut + o) * k * k);
        }
        using (Autograd.NoGrad())
        using (var source = Tensor.FromArray(values, InChannels, perGroupOut, k, k))
        {
            Weight.CopyFrom(source);
            Bias?.Zero();
        }
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) =>
        Functional.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation);

    /// <summary>Forward with the output padding chosen so that the output is exactly <paramref name="outputSize"/>.</summary>
    public Tensor Forward(Tensor input, Size2 outputSize)
    {
        long OutputPad(long inSize, long target, long stride, long pad, long dilation, long kernel)
        {
            long natural = (inSize - 1) * stride - 2 * pad + dilation * (kernel - 1) + 1;
            long extra = target - natural;
            if (extra < 0 || extra >= Math.Max(stride, dilation))
                throw new ArgumentException($"output size {target} is not reachable from input size {inSize} (natural size {natural}, stride {stride})", nameof(outputSize));
            return extra;
        }
        var op = new Size2(
            OutputPad(input.Size(2), outputSize.Height, Stride.Height, Padding.Height, Dilation.Height, KernelSize.Height),
            OutputPad(input.Size(3), outputSize.Width, Stride.Width, Padding.Width, Dilation.Width, KernelSize.Width));
        return Functional.ConvTranspose2d(input, Weight, Bias, Stride, Padding, op, Groups, Dilation);
    }
}
