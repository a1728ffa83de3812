using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;

namespace MLNet.Segmentation.Models.Backbones;

/// <summary>
/// ResNet-18/34's residual block: two 3x3 convolutions ("conv1", "bn1", "conv2", "bn2") and an optional projection
/// "downsample" (1x1 convolution + BatchNorm). Unlike torchvision's, it accepts a dilation (for output stride 8/16).
/// </summary>
public sealed class BasicBlock : Module
{
    /// <summary>Channel expansion of the block's output over <c>planes</c>.</summary>
    public const int Expansion = 1;

    /// <summary>A block from <paramref name="inPlanes"/> to <paramref name="planes"/> channels.</summary>
    public BasicBlock(long inPlanes, long planes, long stride, long dilation, Sequential? downsample, Generator? generator)
    {
        RegisterModule("conv1", new Conv2d(inPlanes, planes, 3, stride, dilation, dilation, bias: false, generator: generator));
        RegisterModule("bn1", new BatchNorm2d(planes));
        RegisterModule("conv2", new Conv2d(planes, planes, 3, 1, dilation, dilation, bias: false, generator: generator));
        RegisterModule("bn2", new BatchNorm2d(planes));
        if (downsample is not null) RegisterModule("downsample", downsample);
        HasDownsample = downsample is not null;
    }

    private bool HasDownsample { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var y = Functional.ReluInPlace(Intermediate.Through(input, false, Child("conv1"), Child("bn1")));
        y = Intermediate.Through(y, true, Child("conv2"), Child("bn2"));
        var identity = HasDownsample ? Child("downsample").Forward(input) : input;
        y.AddInPlace(identity);
        Intermediate.Release(identity, input);
        return Functional.ReluInPlace(y);
    }
}

/// <summary>
/// ResNet-50's bottleneck block: 1x1, 3x3 (strided, dilated) and 1x1 convolutions with BatchNorm ("conv1".."bn3")
/// and an optional "downsample" projection; the output has 4 x <c>planes</c> channels (torchvision's layout).
/// </summary>
public sealed class Bottleneck : Module
{
    /// <summary>Channel expansion of the block's output over <c>planes</c>.</summary>
    public const int Expansion = 4;

    /// <summary>A block from <paramref name="inPlanes"/> to 4 x <paramref name="planes"/> channels.</summary>
    public Bottleneck(long inPlanes, long planes, long stride, long dilation, Sequential? downsample, Generator? generator)
    {
        RegisterModule("conv1", new Conv2d(inPlanes, planes, 1, bias: false, generator: generator));
        RegisterModule("bn1", new BatchNorm2d(planes));
        RegisterModule("conv2", new Conv2d(planes, planes, 3, stride, dilation, dilation, bias: false, generator: generator));
        RegisterModule("bn2", new BatchNorm2d(planes));
        RegisterModule("conv3", new Conv2d(planes, planes * Expansion, 1, bias: false, generator: generator));
        RegisterModule("bn3", new BatchNorm2d(planes * Expansion));
        if (downsample is not null) RegisterModule("downsample", downsample);
        HasDownsample = downsample is not null;
    }

    private bool HasDownsample { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var y = Functional.ReluInPlace(Intermediate.Through(input, false, Child("conv1"), Child("bn1")));
        y = Functional.ReluInPlace(Intermediate.Through(y, true, Child("conv2"), Child("bn2")));
        y = Intermediate.Through(y, true, Child("conv3"), Child("bn3"));
        var identity = HasDownsample ? Child("downsample").Forward(input) : input;
        y.AddInPlace(identity);
        Intermediate.Release(identity, input);
        return Functional.ReluInPlace(y);
    }
}
