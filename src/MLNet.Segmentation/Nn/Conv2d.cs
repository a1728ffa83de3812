using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Nn;

/// <summary>2-D convolution (torch.nn.Conv2d): parameters "weight" (out x in/groups x kh x kw) and optional "bias".</summary>
public class Conv2d : Module
{
    /// <summary>A convolution initialized like PyTorch (uniform in ±1/sqrt(fan_in)) from <paramref name="generator"/>.</summary>
    public Conv2d(long inChannels, long outChannels, Size2 kernelSize, Size2? stride = null, Size2? padding = null,
        Size2? dilation = null, long groups = 1, bool bias = true, Generator? generator = null)
    {
        CheckChannels(inChannels, outChannels, groups);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride ?? 1;
        Padding = padding ?? 0;
        Dilation = dilation ?? 1;
        Groups = groups;
        var weight = Tensor.Empty([outChannels, inChannels / groups, kernelSize.Height, kernelSize.Width]);
        Init.DefaultConvolution(weight, generator);
        RegisterParameter("weight", weight);
        if (bias)
        {
            var b = Tensor.Empty([outChannels]);
            Init.Uniform(b, 1.0 / Math.Sqrt(inChannels / groups * kernelSize.Height * kernelSize.Width), generator);
            RegisterParameter("bias", b);
        }
    }

    /// <summary>Throws unless both channel counts are positive and divisible by <paramref name="groups"/> (shared by the convolutions).</summary>
    internal static void CheckChannels(long inChannels, long outChannels, long groups)
    {
        if (inChannels <= 0 || outChannels <= 0) throw new ArgumentOutOfRangeException(nameof(inChannels), "channel counts must be positive");
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"groups ({groups}) must divide both channel counts ({inChannels}, {outChannels})", nameof(groups));
    }

    /// <summary>Input channels.</summary>
    public long InChannels { get; }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <summary>Kernel size.</summary>
    public Size2 KernelSize { get; }

    /// <summary>Stride.</summary>
    public Size2 Stride { get; }

    /// <summary>Zero padding on each side.</summary>
    public Size2 Padding { get; }

    /// <summary>Dilation (atrous rate).</summary>
    public Size2 Dilation { get; }

    /// <summary>Channel groups.</summary>
    public long Groups { get; }

    /// <summary>The kernel.</summary>
    public Tensor Weight => Parameter("weight");

    /// <summary>The bias, or null.</summary>
    public Tensor? Bias => OptionalParameter("bias");

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
}

/// <summary>A 1x1 convolution producing per-pixel class logits (a segmentation classifier head).</summary>
public sealed class ClassifierHead : Conv2d
{
    /// <summary>A 1x1 convolution from <paramref name="inChannels"/> to <paramref name="numClasses"/>, optionally zero-initialized (as FCN's score layers).</summary>
    public ClassifierHead(long inChannels, long numClasses, bool zeroInit = false, Generator? generator = null)
        : base(inChannels, numClasses, 1, generator: generator)
    {
        if (!zeroInit) return;
        Init.Constant(Weight, 0);
        Init.Constant(Bias!, 0);
    }
}
