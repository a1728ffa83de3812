using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;

namespace MLNet.Segmentation.Models;

/// <summary>
/// Atrous spatial pyramid pooling (DeepLab v3), laid out as torchvision's ASPP: "convs.0" a 1x1 branch, "convs.1..r"
/// one dilated 3x3 branch per rate, optionally "convs.{r+1}" the image-pooling branch; each is conv + BatchNorm +
/// ReLU; "project" fuses the concatenated branches (1x1 conv, BatchNorm, ReLU, dropout).
/// </summary>
public sealed class Aspp : Module
{
    private readonly ModuleList _convs;

    /// <summary>ASPP from <paramref name="inChannels"/> to <paramref name="outChannels"/> with the given atrous <paramref name="rates"/>.</summary>
    public Aspp(long inChannels, long outChannels, IReadOnlyList<int> rates, bool imagePooling = true, double dropout = 0.5,
        Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(rates);
        _convs = new ModuleList(new Sequential(
            new Conv2d(inChannels, outChannels, 1, bias: false, generator: generator), new BatchNorm2d(outChannels), new ReLU()));
        foreach (int rate in rates)
        {
            if (rate < 1) throw new ArgumentOutOfRangeException(nameof(rates), rate, "atrous rates must be positive");
            _convs.Add(new Sequential(
                new Conv2d(inChannels, outChannels, 3, padding: rate, dilation: rate, bias: false, generator: generator),
                new BatchNorm2d(outChannels), new ReLU()));
        }
        if (imagePooling) _convs.Add(new AsppPooling(inChannels, outChannels, generator));
        RegisterModule("convs", _convs);
        RegisterModule("project", new Sequential(
            new Conv2d(_convs.Count * outChannels, outChannels, 1, bias: false, generator: generator),
            new BatchNorm2d(outChannels), new ReLU(), new Dropout(dropout)));
        OutChannels = outChannels;
    }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var branches = _convs.Select(branch => branch.Forward(input)).ToArray();
        return Child("project").Forward(Tensor.Cat(branches, 1));
    }
}

/// <summary>ASPP's image-level branch: global average pooling, 1x1 conv, BatchNorm, ReLU, then bilinear upsampling back.</summary>
public sealed class AsppPooling : Sequential
{
    /// <summary>The branch from <paramref name="inChannels"/> to <paramref name="outChannels"/>.</summary>
    public AsppPooling(long inChannels, long outChannels, Generator? generator = null)
        : base(new AdaptiveAvgPool2d(1), new Conv2d(inChannels, outChannels, 1, bias: false, generator: generator),
            new BatchNorm2d(outChannels), new ReLU())
    {
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        using var pooled = base.Forward(input);
        var upsampled = Functional.Interpolate(pooled, new Size2(input.Size(2), input.Size(3)), InterpolationMode.Bilinear);
        // Upsampled from 1x1, the branch comes out contiguous; match the other branches' layout so the concatenation keeps it.
        if (!input.IsChannelsLastOnly()) return upsampled;
        using (upsampled) return upsampled.Contiguous(MemoryFormat.ChannelsLast);
    }
}
