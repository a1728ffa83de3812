using MLNet.Segmentation.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Models;

/// <summary>
/// Atrous spatial pyramid pooling (DeepLab v3), laid out as torchvision's ASPP: "convs.0" a 1x1 branch, "convs.1..r"
/// one dilated 3x3 branch per rate, optionally "convs.{r+1}" the image-pooling branch; each is conv + BatchNorm +
/// ReLU; "project" fuses the concatenated branches (1x1 conv, BatchNorm, ReLU, dropout).
/// </summary>
public sealed class Aspp : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> convs;
    private readonly Sequential project;

    /// <summary>ASPP from <paramref name="inChannels"/> to <paramref name="outChannels"/> with the given atrous <paramref name="rates"/>.</summary>
    public Aspp(long inChannels, long outChannels, IReadOnlyList<int> rates, bool imagePooling = true, double dropout = 0.5) : base(nameof(Aspp))
    {
        ArgumentNullException.ThrowIfNull(rates);
        convs = new ModuleList<nn.Module<Tensor, Tensor>>(nn.Sequential(
            Layers.Conv2d(inChannels, outChannels, 1, bias: false), Layers.BatchNorm2d(outChannels), nn.ReLU()));
        foreach (int rate in rates)
        {
            if (rate < 1) throw new ArgumentOutOfRangeException(nameof(rates), rate, "atrous rates must be positive");
            convs.Add(nn.Sequential(
                Layers.Conv2d(inChannels, outChannels, 3, padding: rate, dilation: rate, bias: false),
                Layers.BatchNorm2d(outChannels), nn.ReLU()));
        }
        if (imagePooling) convs.Add(new AsppPooling(inChannels, outChannels));
        project = nn.Sequential(
            Layers.Conv2d(convs.Count * outChannels, outChannels, 1, bias: false),
            Layers.BatchNorm2d(outChannels), nn.ReLU(), nn.Dropout(dropout));
        OutChannels = outChannels;
        RegisterComponents();
    }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var branches = convs.Select(branch => branch.call(input)).ToArray();
        return project.call(cat(branches, 1)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// ASPP's image-level branch: global average pooling, 1x1 conv, BatchNorm, ReLU ("0".."3", torchvision's layout), then
/// bilinear upsampling back to the input size.
/// </summary>
public sealed class AsppPooling : nn.Module<Tensor, Tensor>, IConvBatchNormPairs
{
    private readonly List<nn.Module<Tensor, Tensor>> _layers;

    /// <summary>The branch from <paramref name="inChannels"/> to <paramref name="outChannels"/>.</summary>
    public AsppPooling(long inChannels, long outChannels) : base(nameof(AsppPooling))
    {
        _layers = [nn.AdaptiveAvgPool2d(1), Layers.Conv2d(inChannels, outChannels, 1, bias: false), Layers.BatchNorm2d(outChannels), nn.ReLU()];
        for (int i = 0; i < _layers.Count; i++) register_module(i.ToString(System.Globalization.CultureInfo.InvariantCulture), _layers[i]);
    }

    /// <inheritdoc />
    public IEnumerable<(Convolution Convolution, SafeBatchNorm2d BatchNorm)> ConvBatchNormPairs() =>
        [((Convolution)_layers[1], (SafeBatchNorm2d)_layers[2])];

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var layer in _layers) x = layer.call(x);
        return nn.functional.interpolate(x, [input.size(2), input.size(3)], mode: InterpolationMode.Bilinear, align_corners: false)
            .MoveToOuterDisposeScope();
    }
}
