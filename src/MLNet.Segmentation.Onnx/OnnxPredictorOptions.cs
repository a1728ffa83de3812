using MLNet.Segmentation.Inference;

namespace MLNet.Segmentation.Onnx;

/// <summary>Options of <see cref="OnnxSegmentationPredictor"/> (the ONNX Runtime counterpart of the TorchSharp <c>PredictorOptions</c>).</summary>
public sealed record OnnxPredictorOptions
{
    /// <summary>
    /// Sliding-window settings; null runs the whole image at once. A model exported at a fixed size always runs in tiles of
    /// that size (an image of another size is tiled, or padded and cropped back), so its tile size must be the model's.
    /// </summary>
    public SlidingWindowOptions? SlidingWindow { get; init; }

    /// <summary>Average with the horizontally flipped prediction.</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>The default of <see cref="MaxPixels"/>: 2^21, as the TorchSharp predictor's.</summary>
    public const long DefaultMaxPixels = 1L << 21;

    /// <summary>The default of <see cref="MaxBytes"/>: 4 GiB.</summary>
    public const long DefaultMaxBytes = 4L << 30;

    /// <summary>The most pixels one run of the network may see (N x H x W of a whole image, or of one group of tiles).</summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    /// <summary>The most bytes of the predictor's own buffers (input, logits, probabilities, blending sums), checked before allocating.</summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;

    /// <summary>ONNX Runtime's intra-op threads; null = its default (one per core).</summary>
    public int? IntraOpThreads { get; init; }

    internal void Validate()
    {
        SlidingWindow?.Validate();
        if (MaxPixels < 1) throw new ArgumentException($"OnnxPredictorOptions.MaxPixels must be positive, got {MaxPixels}");
        if (MaxBytes < 1) throw new ArgumentException($"OnnxPredictorOptions.MaxBytes must be positive, got {MaxBytes}");
        if (IntraOpThreads is < 1) throw new ArgumentException($"OnnxPredictorOptions.IntraOpThreads must be positive, got {IntraOpThreads}");
    }
}
