using static TorchSharp.torch;

namespace MLNet.Segmentation.Inference;

/// <summary>Options of <see cref="SegmentationPredictor"/>.</summary>
public sealed record PredictorOptions
{
    /// <summary>Per-channel mean subtracted from [0, 1] inputs (null = none).</summary>
    public float[]? Mean { get; init; }

    /// <summary>Per-channel standard deviation dividing inputs (null = none).</summary>
    public float[]? Std { get; init; }

    /// <summary>Sliding-window settings; null runs the whole image at once.</summary>
    public SlidingWindowOptions? SlidingWindow { get; init; }

    /// <summary>Average with the horizontally flipped prediction.</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>Where inference runs; null = the model's device at construction (CPU when unknown).</summary>
    public Device? Device { get; init; }

    /// <summary>
    /// Mixed precision for the network's forward pass (autocast, as torch.autocast): null = float32,
    /// <see cref="ScalarType.BFloat16"/> (CPU or CUDA) or <see cref="ScalarType.Float16"/> (CUDA). Probabilities are float32 either way.
    /// </summary>
    public ScalarType? AutocastDType { get; init; }

    /// <summary>
    /// Folds the network's BatchNorm layers into the convolutions before them (<see cref="Nn.BatchNormFusion"/>), in place:
    /// the same predictions up to float32 rounding, with one pass over each activation less. One way: the model can then
    /// neither train nor be saved, so set it only where the predictor owns the network (e.g. loaded from a file).
    /// </summary>
    public bool FoldBatchNorm { get; init; }

    /// <summary>The default of <see cref="MaxPixels"/>: 2^21 (2,097,152, e.g. one 2048 x 1024 image).</summary>
    public const long DefaultMaxPixels = 1L << 21;

    /// <summary>The default of <see cref="MaxBytes"/>: 4 GiB.</summary>
    public const long DefaultMaxBytes = 4L << 30;

    /// <summary>
    /// The most pixels one forward pass of the network may see: N x H x W of the batch for whole-image inference, or the
    /// tiles of one group (up to <see cref="SlidingWindowOptions.TilesPerBatch"/> tiles of N images each) for
    /// sliding-window inference. The network's activations grow with it: measured on the CPU at 1024 x 1024, the
    /// full-width U-Net takes about 2.3 KB per pixel, DeconvNet 1.7 KB and DeepLab v3+ (ResNet-50) 0.5 KB, so at the
    /// default the widest takes about 5 GB. Larger images need a sliding window (or a larger limit). Checked before
    /// anything is allocated.
    /// </summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    /// <summary>
    /// The most bytes the predictor's own tensors may take, as estimated before anything is allocated from the batch's
    /// size, channels and classes, the tile padding and the flip: the converted and normalized input, the padded input,
    /// the network's logits and probabilities per forward pass, the blending sums and the class ids (and their CPU copies
    /// when inference runs elsewhere). With <see cref="DefaultMaxPixels"/>, the defaults keep a prediction under about
    /// 11 GB in the worst case (5 GB of activations, 4 GiB of these tensors, a network of at most 2 GiB), well inside a
    /// 24 GB machine.
    /// </summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;
}

/// <summary>The prediction for a batch: class ids and per-class probabilities (both on the CPU, owned by the caller).</summary>
public sealed class SegmentationPrediction(Tensor classIds, Tensor probabilities) : IDisposable
{
    /// <summary>N x H x W int64 class ids (argmax of the probabilities).</summary>
    public Tensor ClassIds { get; } = classIds;

    /// <summary>N x K x H x W float32 softmax probabilities.</summary>
    public Tensor Probabilities { get; } = probabilities;

    /// <summary>Frees both tensors.</summary>
    public void Dispose()
    {
        ClassIds.Dispose();
        Probabilities.Dispose();
    }
}
