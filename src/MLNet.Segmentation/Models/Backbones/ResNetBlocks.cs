using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Models.Backbones;

/// <summary>
/// ResNet-18/34's residual block: two 3x3 convolutions ("conv1", "bn1", "conv2", "bn2") and an optional projection
/// "downsample" (1x1 convolution + BatchNorm). Unlike torchvision's, it accepts a dilation (for output stride 8/16).
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>, IConvBatchNormPairs
{
    /// <summary>Channel expansion of the block's output over <c>planes</c>.</summary>
    public const int Expansion = 1;

    private readonly SafeConv2d conv1;
    private readonly SafeBatchNorm2d bn1;
    private readonly SafeConv2d conv2;
    private readonly SafeBatchNorm2d bn2;
    private readonly Sequential? downsample;

    /// <summary>A block from <paramref name="inPlanes"/> to <paramref name="planes"/> channels.</summary>
    public BasicBlock(long inPlanes, long planes, long stride, long dilation, Sequential? downsample) : base(nameof(BasicBlock))
    {
        conv1 = Layers.Conv2d(inPlanes, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn1 = Layers.BatchNorm2d(planes);
        conv2 = Layers.Conv2d(planes, planes, 3, padding: dilation, dilation: dilation, bias: false);
        bn2 = Layers.BatchNorm2d(planes);
        this.downsample = downsample;
        RegisterComponents();
    }

    /// <inheritdoc />
    public IEnumerable<(Convolution Convolution, SafeBatchNorm2d BatchNorm)> ConvBatchNormPairs() => [(conv1, bn1), (conv2, bn2)];

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var y = bn1.call(conv1.call(input)).relu_();
        y = bn2.call(conv2.call(y));
        var identity = downsample is null ? input : downsample.call(input);
        return y.PlusInPlace(identity).relu_().MoveToOuterDisposeScope();
    }
}

/// <summary>
/// ResNet-50's bottleneck block: 1x1, 3x3 (strided, dilated) and 1x1 convolutions with BatchNorm ("conv1".."bn3")
/// and an optional "downsample" projection; the output has 4 x <c>planes</c> channels (torchvision's layout).
/// </summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>, IConvBatchNormPairs
{
    /// <summary>Channel expansion of the block's output over <c>planes</c>.</summary>
    public const int Expansion = 4;

    private readonly SafeConv2d conv1;
    private readonly SafeBatchNorm2d bn1;
    private readonly SafeConv2d conv2;
    private readonly SafeBatchNorm2d bn2;
    private readonly SafeConv2d conv3;
    private readonly SafeBatchNorm2d bn3;
    private readonly Sequential? downsample;

    /// <summary>A block from <paramref name="inPlanes"/> to 4 x <paramref name="planes"/> channels.</summary>
    public Bottleneck(long inPlanes, long planes, long stride, long dilation, Sequential? downsample) : base(nameof(Bottleneck))
    {
        conv1 = Layers.Conv2d(inPlanes, planes, 1, bias: false);
        bn1 = Layers.BatchNorm2d(planes);
        conv2 = Layers.Conv2d(planes, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn2 = Layers.BatchNorm2d(planes);
        conv3 = Layers.Conv2d(planes, planes * Expansion, 1, bias: false);
        bn3 = Layers.BatchNorm2d(planes * Expansion);
        this.downsample = downsample;
        RegisterComponents();
    }

    /// <inheritdoc />
    public IEnumerable<(Convolution Convolution, SafeBatchNorm2d BatchNorm)> ConvBatchNormPairs() => [(conv1, bn1), (conv2, bn2), (conv3, bn3)];

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var y = bn1.call(conv1.call(input)).relu_();
        y = bn2.call(conv2.call(y)).relu_();
        y = bn3.call(conv3.call(y));
        var identity = downsample is null ? input : downsample.call(input);
        return y.PlusInPlace(identity).relu_().MoveToOuterDisposeScope();
    }
}
