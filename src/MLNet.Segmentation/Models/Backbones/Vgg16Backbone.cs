using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;

namespace MLNet.Segmentation.Models.Backbones;

/// <summary>The output of one VGG stage: its pooled features, the pooling indices and the size before pooling.</summary>
public sealed record VggStage(Tensor Pooled, Tensor Indices, Size2 InputSize);

/// <summary>
/// The 13 convolutions and 5 max-poolings of VGG-16 (optionally with BatchNorm), as torchvision's "features"
/// Sequential: the parameter names ("features.0.weight", "features.1.running_mean" with BN) match torchvision's vgg16 and
/// vgg16_bn, so their weights load with <c>LoadStateDict(dict, strict: false)</c>. Total stride 32.
/// </summary>
public sealed class Vgg16Backbone : Module
{
    /// <summary>Convolutions per stage and channels per stage at full width.</summary>
    public static readonly IReadOnlyList<(int Convolutions, int Channels)> Stages = [(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)];

    private readonly Sequential _features;

    /// <summary>
    /// VGG-16 on <paramref name="inChannels"/>-channel images, with BatchNorm after every convolution when
    /// <paramref name="batchNorm"/>, and every width divided by <paramref name="widthDivisor"/> (1 = the original).
    /// </summary>
    public Vgg16Backbone(long inChannels = 3, bool batchNorm = false, int widthDivisor = 1, Generator? generator = null)
    {
        if (widthDivisor < 1 || 64 % widthDivisor != 0) throw new ArgumentOutOfRangeException(nameof(widthDivisor), widthDivisor, "the width divisor must divide 64");
        BatchNorm = batchNorm;
        StageChannels = Stages.Select(s => (long)(s.Channels / widthDivisor)).ToArray();
        _features = RegisterModule("features", new Sequential());
        long channels = inChannels;
        for (int stage = 0; stage < Stages.Count; stage++)
        {
            for (int i = 0; i < Stages[stage].Convolutions; i++)
            {
                var conv = new Conv2d(channels, StageChannels[stage], 3, padding: 1, generator: generator);
                Init.KaimingNormal(conv.Weight, fanOut: true, generator);
                Init.Constant(conv.Bias!, 0);
                _features.Add(conv);
                if (batchNorm) _features.Add(new BatchNorm2d(StageChannels[stage]));
                _features.Add(new ReLU(inPlace: true));
                channels = StageChannels[stage];
            }
            _features.Add(new MaxPool2d(2, 2));
        }
        InChannels = inChannels;
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
    public Sequential Features => _features;

    /// <summary>Features at stride 32 (after pool5).</summary>
    public override Tensor Forward(Tensor input) => _features.Forward(input);

    /// <summary>
    /// Runs the 5 stages and returns, for each, the pooled output (stride 2, 4, 8, 16, 32), the max-pooling
    /// indices and the size before pooling (for unpooling decoders and skip connections).
    /// </summary>
    public IReadOnlyList<VggStage> ForwardStages(Tensor input)
    {
        var stages = new List<VggStage>(5);
        var x = input;
        var layers = _features.Layers;
        for (int i = 0; i < layers.Length; i++)
        {
            var layer = layers[i];
            if (layer is MaxPool2d pool)
            {
                var size = new Size2(x.Size(2), x.Size(3));
                var (pooled, indices) = pool.ForwardWithIndices(x);
                Intermediate.Release(x, input);
                stages.Add(new VggStage(pooled, indices, size));
                x = pooled;
            }
            else
            {
                var y = Intermediate.Step(layers, ref i, x);
                // Pooled outputs belong to the stages (FCN's skips); other intermediates go as soon as they are used.
                if (stages.Count == 0 || !ReferenceEquals(x, stages[^1].Pooled)) Intermediate.Release(x, input, y);
                x = y;
            }
        }
        return stages;
    }
}
