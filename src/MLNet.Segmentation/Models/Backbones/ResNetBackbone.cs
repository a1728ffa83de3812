using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;

namespace MLNet.Segmentation.Models.Backbones;

/// <summary>The ResNet variants available as backbones.</summary>
public enum ResNetDepth
{
    /// <summary>ResNet-18 (basic blocks 2-2-2-2).</summary>
    ResNet18 = 18,
    /// <summary>ResNet-34 (basic blocks 3-4-6-3).</summary>
    ResNet34 = 34,
    /// <summary>ResNet-50 (bottleneck blocks 3-4-6-3).</summary>
    ResNet50 = 50,
}

/// <summary>Options of <see cref="ResNetBackbone"/>.</summary>
public sealed record ResNetOptions
{
    /// <summary>Which ResNet.</summary>
    public ResNetDepth Depth { get; init; } = ResNetDepth.ResNet50;

    /// <summary>Image channels.</summary>
    public long InChannels { get; init; } = 3;

    /// <summary>Channels of the stem and of layer1's planes (64 in the original; smaller for tests).</summary>
    public long Width { get; init; } = 64;

    /// <summary>Output stride: 32 (classification), 16 (layer4 dilated) or 8 (layer3 and layer4 dilated).</summary>
    public int OutputStride { get; init; } = 32;
}

/// <summary>Feature maps of a <see cref="ResNetBackbone"/> forward pass.</summary>
public sealed record ResNetFeatures(Tensor Layer1, Tensor Layer2, Tensor Layer3, Tensor Layer4);

/// <summary>
/// ResNet-18/34/50 without the classifier, with torchvision's parameter names ("conv1.weight", "bn1.running_mean",
/// "layer1.0.conv1.weight", "layer2.0.downsample.0.weight", ...): torchvision weights load with strict: false
/// (only "fc.*" is unexpected). Output stride 8 or 16 replaces the stride of layer3/layer4 by dilation.
/// </summary>
public sealed class ResNetBackbone : Module
{
    private long _inPlanes;
    private long _dilation = 1;

    /// <summary>A ResNet as described by <paramref name="options"/>, initialized like torchvision (kaiming-normal, fan-out).</summary>
    public ResNetBackbone(ResNetOptions? options = null, Generator? generator = null)
    {
        Options = options ?? new ResNetOptions();
        if (Options.OutputStride is not (8 or 16 or 32)) throw new ArgumentOutOfRangeException(nameof(options), Options.OutputStride, "output stride must be 8, 16 or 32");
        if (Options.Width <= 0) throw new ArgumentOutOfRangeException(nameof(options), Options.Width, "width must be positive");
        bool bottleneck = Options.Depth == ResNetDepth.ResNet50;
        int[] blocks = Options.Depth switch
        {
            ResNetDepth.ResNet18 => [2, 2, 2, 2],
            ResNetDepth.ResNet34 or ResNetDepth.ResNet50 => [3, 4, 6, 3],
            _ => throw new ArgumentOutOfRangeException(nameof(options), Options.Depth, "unknown ResNet depth"),
        };
        long w = Options.Width;
        _inPlanes = w;
        RegisterModule("conv1", new Conv2d(Options.InChannels, w, 7, 2, 3, bias: false, generator: generator));
        RegisterModule("bn1", new BatchNorm2d(w));
        RegisterModule("relu", new ReLU(inPlace: true));
        RegisterModule("maxpool", new MaxPool2d(3, 2, 1));
        RegisterModule("layer1", MakeLayer(bottleneck, w, blocks[0], 1, false, generator));
        RegisterModule("layer2", MakeLayer(bottleneck, 2 * w, blocks[1], 2, false, generator));
        RegisterModule("layer3", MakeLayer(bottleneck, 4 * w, blocks[2], 2, Options.OutputStride == 8, generator));
        RegisterModule("layer4", MakeLayer(bottleneck, 8 * w, blocks[3], 2, Options.OutputStride <= 16, generator));
        int expansion = bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;
        LowLevelChannels = w * expansion;
        OutChannels = 8 * w * expansion;

        foreach (var (_, module) in NamedModules())
            if (module is Conv2d conv) Init.KaimingNormal(conv.Weight, fanOut: true, generator);
    }

    /// <summary>The options it was built with.</summary>
    public ResNetOptions Options { get; }

    /// <summary>Channels of layer1's output (stride 4; DeepLab v3+'s low-level features).</summary>
    public long LowLevelChannels { get; }

    /// <summary>Channels of layer4's output.</summary>
    public long OutChannels { get; }

    private Sequential MakeLayer(bool bottleneck, long planes, int count, long stride, bool dilate, Generator? generator)
    {
        long previousDilation = _dilation;
        if (dilate)
        {
            _dilation *= stride;
            stride = 1;
        }
        int expansion = bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;
        Sequential? downsample = null;
        if (stride != 1 || _inPlanes != planes * expansion)
            downsample = new Sequential(
                new Conv2d(_inPlanes, planes * expansion, 1, stride, bias: false, generator: generator),
                new BatchNorm2d(planes * expansion));
        var layer = new Sequential();
        layer.Add(bottleneck
            ? new Bottleneck(_inPlanes, planes, stride, previousDilation, downsample, generator)
            : new BasicBlock(_inPlanes, planes, stride, previousDilation, downsample, generator));
        _inPlanes = planes * expansion;
        for (int i = 1; i < count; i++)
            layer.Add(bottleneck
                ? new Bottleneck(_inPlanes, planes, 1, _dilation, null, generator)
                : new BasicBlock(_inPlanes, planes, 1, _dilation, null, generator));
        return layer;
    }

    /// <summary>layer4's features (stride <see cref="ResNetOptions.OutputStride"/>).</summary>
    public override Tensor Forward(Tensor input) => ForwardFeatures(input).Layer4;

    /// <summary>The outputs of layer1 (stride 4) to layer4.</summary>
    public ResNetFeatures ForwardFeatures(Tensor input)
    {
        var x = Intermediate.Through(input, false, Child("conv1"), Child("bn1"), Child("relu"), Child("maxpool"));
        var l1 = Child("layer1").Forward(x);
        Intermediate.Release(x, input, l1);
        var l2 = Child("layer2").Forward(l1);
        var l3 = Child("layer3").Forward(l2);
        var l4 = Child("layer4").Forward(l3);
        return new ResNetFeatures(l1, l2, l3, l4);
    }
}
