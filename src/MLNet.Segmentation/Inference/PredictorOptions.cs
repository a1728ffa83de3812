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
