using MLNet.Segmentation.Nn;
using TorchSharp.Modules;
using static TorchSharp.torch;

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
/// <see cref="FromTorchVision"/> wraps the layers of a TorchVision (or any torchvision-layout) ResNet instead.
/// </summary>
public sealed class ResNetBackbone : nn.Module<Tensor, Tensor>, IConvBatchNormPairs
{
    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly nn.Module<Tensor, Tensor> relu;
    private readonly nn.Module<Tensor, Tensor> maxpool;
    private readonly nn.Module<Tensor, Tensor> layer1;
    private readonly nn.Module<Tensor, Tensor> layer2;
    private readonly nn.Module<Tensor, Tensor> layer3;
    private readonly nn.Module<Tensor, Tensor> layer4;
    private long _inPlanes;
    private long _dilation = 1;

    /// <summary>A ResNet as described by <paramref name="options"/>, initialized like torchvision (kaiming-normal, fan-out).</summary>
    public ResNetBackbone(ResNetOptions? options = null) : base(nameof(ResNetBackbone))
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
        conv1 = Layers.Conv2d(Options.InChannels, w, 7, stride: 2, padding: 3, bias: false);
        bn1 = Layers.BatchNorm2d(w);
        relu = nn.ReLU(inplace: true);
        maxpool = nn.MaxPool2d(3, stride: 2, padding: 1);
        layer1 = MakeLayer(bottleneck, w, blocks[0], 1, false);
        layer2 = MakeLayer(bottleneck, 2 * w, blocks[1], 2, false);
        layer3 = MakeLayer(bottleneck, 4 * w, blocks[2], 2, Options.OutputStride == 8);
        layer4 = MakeLayer(bottleneck, 8 * w, blocks[3], 2, Options.OutputStride <= 16);
        int expansion = bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;
        LowLevelChannels = w * expansion;
        OutChannels = 8 * w * expansion;
        RegisterComponents();

        foreach (var (_, module) in named_modules())
            if (module is Convolution conv) nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
    }

    private ResNetBackbone(IReadOnlyDictionary<string, nn.Module<Tensor, Tensor>> layers, long lowLevelChannels, long outChannels)
        : base(nameof(ResNetBackbone))
    {
        conv1 = layers["conv1"];
        bn1 = layers["bn1"];
        relu = layers["relu"];
        maxpool = layers["maxpool"];
        layer1 = layers["layer1"];
        layer2 = layers["layer2"];
        layer3 = layers["layer3"];
        layer4 = layers["layer4"];
        LowLevelChannels = lowLevelChannels;
        OutChannels = outChannels;
        RegisterComponents();
    }

    /// <summary>
    /// A backbone over the stem and layer1..layer4 of <paramref name="resnet"/>, a torchvision-layout ResNet such as
    /// TorchVision's <c>torchvision.models.resnet50(replace_stride_with_dilation: (false, true, true))</c>. The layers are
    /// shared, not copied; the classifier ("avgpool", "fc") is left out, so the state dict keeps torchvision's names.
    /// </summary>
    public static ResNetBackbone FromTorchVision(nn.Module resnet)
    {
        ArgumentNullException.ThrowIfNull(resnet);
        string[] names = ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4"];
        var children = resnet.named_children().ToDictionary(c => c.name, c => c.module);
        var layers = new Dictionary<string, nn.Module<Tensor, Tensor>>();
        foreach (var name in names)
        {
            if (!children.TryGetValue(name, out var child) || child is not nn.Module<Tensor, Tensor> layer)
                throw new ArgumentException($"the module has no '{name}' layer: a torchvision-layout ResNet (conv1, bn1, relu, maxpool, layer1..layer4) is needed", nameof(resnet));
            layers[name] = layer;
        }
        long Channels(string layer) => layers[layer].modules().OfType<BatchNorm>().LastOrDefault()?.num_features
            ?? throw new ArgumentException($"'{layer}' has no BatchNorm2d to read its width from", nameof(resnet));
        // The last BatchNorm of a residual layer may be the projection's; both have the block's output width.
        return new ResNetBackbone(layers, Channels("layer1"), Channels("layer4"));
    }

    /// <summary>The options it was built with (null for a wrapped TorchVision ResNet).</summary>
    public ResNetOptions? Options { get; }

    /// <summary>Channels of layer1's output (stride 4; DeepLab v3+'s low-level features).</summary>
    public long LowLevelChannels { get; }

    /// <summary>Channels of layer4's output.</summary>
    public long OutChannels { get; }

    private Sequential MakeLayer(bool bottleneck, long planes, int count, long stride, bool dilate)
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
            downsample = nn.Sequential(
                Layers.Conv2d(_inPlanes, planes * expansion, 1, stride: stride, bias: false),
                Layers.BatchNorm2d(planes * expansion));
        var layer = nn.Sequential();
        layer.append(bottleneck
            ? new Bottleneck(_inPlanes, planes, stride, previousDilation, downsample)
            : new BasicBlock(_inPlanes, planes, stride, previousDilation, downsample));
        _inPlanes = planes * expansion;
        for (int i = 1; i < count; i++)
            layer.append(bottleneck
                ? new Bottleneck(_inPlanes, planes, 1, _dilation, null)
                : new BasicBlock(_inPlanes, planes, 1, _dilation, null));
        return layer;
    }

    /// <inheritdoc />
    public IEnumerable<(Convolution Convolution, SafeBatchNorm2d BatchNorm)> ConvBatchNormPairs() =>
        conv1 is Convolution convolution && bn1 is SafeBatchNorm2d batchNorm ? [(convolution, batchNorm)] : [];

    /// <summary>layer4's features (stride <see cref="ResNetOptions.OutputStride"/>).</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = maxpool.call(relu.call(bn1.call(conv1.call(input))));
        return layer4.call(layer3.call(layer2.call(layer1.call(x)))).MoveToOuterDisposeScope();
    }

    /// <summary>The outputs of layer1 (stride 4) to layer4.</summary>
    public ResNetFeatures ForwardFeatures(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = maxpool.call(relu.call(bn1.call(conv1.call(input))));
        var l1 = layer1.call(x);
        var l2 = layer2.call(l1);
        var l3 = layer3.call(l2);
        var l4 = layer4.call(l3);
        return new ResNetFeatures(l1.MoveToOuterDisposeScope(), l2.MoveToOuterDisposeScope(), l3.MoveToOuterDisposeScope(),
            l4.MoveToOuterDisposeScope());
    }
}
