using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Models.Backbones;

/// <summary>The output of one VGG stage: its pooled features, the pooling indices and the size before pooling.</summary>
public sealed record VggStage(Tensor Pooled, Tensor Indices, long Height, long Width);

/// <summary>
/// The 13 convolutions and 5 max-poolings of VGG-16 (optionally with BatchNorm), as torchvision's "features"
/// Sequential: the parameter names ("features.0.weight", "features.1.running_mean" with BN) match torchvision's vgg16 and
/// vgg16_bn, so their weights load with <c>Load(dict, strict: false)</c>. Total stride 32.
/// </summary>
public sealed class Vgg16Backbone : nn.Module<Tensor, Tensor>
{
    /// <summary>Convolutions per stage and channels per stage at full width.</summary>
    public static readonly IReadOnlyList<(int Convolutions, int Channels)> Stages = [(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)];

    private readonly Sequential features;
    private readonly List<nn.Module<Tensor, Tensor>> _layers = new();

    /// <summary>
    /// VGG-16 on <paramref name="inChannels"/>-channel images, with BatchNorm after every convolution when
    /// <paramref name="batchNorm"/>, and every width divided by <paramref name="widthDivisor"/> (1 = the original).
    /// </summary>
    public Vgg16Backbone(long inChannels = 3, bool batchNorm = false, int widthDivisor = 1) : base(nameof(Vgg16Backbone))
    {
        if (widthDivisor < 1 || 64 % widthDivisor != 0) throw new ArgumentOutOfRangeException(nameof(widthDivisor), widthDivisor, "the width divisor must divide 64");
        BatchNorm = batchNorm;
        StageChannels = Stages.Select(s => (long)(s.Channels / widthDivisor)).ToArray();
        features = nn.Sequential();
        long channels = inChannels;
        for (int stage = 0; stage < Stages.Count; stage++)
        {
            for (int i = 0; i < Stages[stage].Convolutions; i++)
            {
                var conv = Layers.Conv2d(channels, StageChannels[stage], 3, padding: 1);
                nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                nn.init.constant_(conv.bias!, OwnedScalars.Zero);
                Append(conv);
                if (batchNorm) Append(Layers.BatchNorm2d(StageChannels[stage]));
                Append(nn.ReLU(inplace: true));
                channels = StageChannels[stage];
            }
            Append(nn.MaxPool2d(2, stride: 2));
        }
        InChannels = inChannels;
        RegisterComponents();
    }

    private void Append(nn.Module<Tensor, Tensor> layer)
    {
        features.append(layer);
        _layers.Add(layer);
    }

    /// <summary>Image channels.</summary>
    public long InChannels { get; }

    /// <summary>True when every convolution is followed by BatchNorm (vgg16_bn).</summary>
    public bool BatchNorm { get; }

    /// <summary>Output channels of each of the 5 stages.</summary>
    public IReadOnlyList<long> StageChannels { get; }

    /// <summary>Channels of the final feature map.</summary>
    public long OutChannels => StageChannels[^1];

    /// <summary>The layers, as torchvision's "features".</summary>
    public Sequential Features => features;

    /// <summary>Features at stride 32 (after pool5).</summary>
    public override Tensor forward(Tensor input) => features.call(input);

    /// <summary>
    /// Runs the 5 stages and returns, for each, the pooled output (stride 2, 4, 8, 16, 32), the max-pooling
    /// indices and the size before pooling (for unpooling decoders and skip connections).
    /// </summary>
    public IReadOnlyList<VggStage> ForwardStages(Tensor input)
    {
        using var scope = NewDisposeScope();
        var stages = new List<VggStage>(5);
        var x = input;
        foreach (var layer in _layers)
        {
            if (layer is MaxPool2d pool)
            {
                long h = x.size(2), w = x.size(3);
                var (pooled, indices) = pool.forward_with_indices(x);
                stages.Add(new VggStage(pooled, indices, h, w));
                x = pooled;
            }
            else
            {
                var y = layer.call(x);
                // Free our handle of an intermediate as soon as it is consumed (autograd keeps what backward needs);
                // stage outputs are returned, the input belongs to the caller.
                if (!ReferenceEquals(x, input) && (stages.Count == 0 || !ReferenceEquals(x, stages[^1].Pooled))) x.Dispose();
                x = y;
            }
        }
        foreach (var stage in stages)
        {
            stage.Pooled.MoveToOuterDisposeScope();
            stage.Indices.MoveToOuterDisposeScope();
        }
        return stages;
    }
}
