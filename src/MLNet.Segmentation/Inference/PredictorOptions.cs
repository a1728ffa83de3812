using MLNet.Segmentation.Engine;

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
    /// Layout of the model's kernels and of the input (<see cref="MemoryFormat.ChannelsLast"/>: fewer layout reorders in
    /// convolutions); null = chosen per batch by <see cref="InferenceLayout.For"/> (channels-last for CPU batches of
    /// at least 32,768 pixels in all), without touching the model.
    /// </summary>
    public MemoryFormat? MemoryFormat { get; init; }

    /// <summary>
    /// Mixed precision for the network's forward pass (autocast, as torch.autocast): null = float32,
    /// <see cref="DType.BFloat16"/> (CPU or CUDA) or <see cref="DType.Float16"/> (CUDA). Probabilities are float32 either way.
    /// </summary>
    public DType? AutocastDType { get; init; }

    /// <summary>
    /// Replay the network from CUDA graphs, one per input shape (<see cref="CudaGraphForward"/>): for repeated
    /// fixed-shape inference on a CUDA device, where per-kernel launch costs dominate. Needs a CUDA device and a bridge
    /// built against a CUDA libtorch; the first batch of each shape pays the warm-up and capture.
    /// </summary>
    public bool CudaGraphs { get; init; }
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
