using Microsoft.ML;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Data.Transforms;
using MLNet.Segmentation.Losses;
using MLNet.Segmentation.Training;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>Options of the segmentation trainers of <c>mlContext.Segmentation().Trainers</c>, with defaults that suit a small dataset.</summary>
public sealed class SegmentationTrainerOptions : SegmentationDataOptions
{
    /// <summary>Per-channel normalization mean (with <see cref="Std"/>), applied in training and prediction; null = none.</summary>
    public float[]? Mean { get; set; }

    /// <summary>Per-channel normalization standard deviation.</summary>
    public float[]? Std { get; set; }

    /// <summary>Width divisor of the architecture (1 = the paper's widths; 4 or 8 for small data and CPUs).</summary>
    public int WidthDivisor { get; set; } = 1;

    /// <summary>ResNet depth of the DeepLab backbones (18, 34 or 50).</summary>
    public int BackboneDepth { get; set; } = 50;

    /// <summary>Output stride of the DeepLab networks (8 or 16).</summary>
    public int OutputStride { get; set; } = 16;

    /// <summary>Loss (default cross-entropy + Dice, honouring <see cref="SegmentationDataOptions.IgnoreIndex"/>).</summary>
    public ISegmentationLoss? Loss { get; set; }

    /// <summary>Optimizer.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.AdamW;

    /// <summary>Base learning rate.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Weight decay.</summary>
    public double WeightDecay { get; set; } = 1e-4;

    /// <summary>Learning-rate schedule.</summary>
    public ScheduleKind Schedule { get; set; } = ScheduleKind.Cosine;

    /// <summary>Training epochs.</summary>
    public int NumberOfEpochs { get; set; } = 10;

    /// <summary>Images per batch (images of one batch must share a size unless <see cref="Augmentation"/> crops them).</summary>
    public int BatchSize { get; set; } = 4;

    /// <summary>Validation data (same columns); validated after every epoch and the best epoch's weights kept.</summary>
    public IDataView? ValidationSet { get; set; }

    /// <summary>Joint image/mask augmentation applied to training samples (e.g. <c>Pipelines.ShapesTrain()</c>); null = none.</summary>
    public IJointTransform? Augmentation { get; set; }

    /// <summary>Arithmetic precision (bf16 autocast on CPU/CUDA, fp16 with loss scaling on CUDA).</summary>
    public TrainingPrecision Precision { get; set; } = TrainingPrecision.Float32;

    /// <summary>
    /// Receives every training event (after each step: loss, learning rate, images/s; after each epoch: also validation
    /// metrics), on the training thread. The same events reach the MLContext's progress channel and log.
    /// </summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Stops Fit (with <see cref="OperationCanceledException"/>) at the next step or validation batch once cancelled.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>A shallow copy.</summary>
    internal SegmentationTrainerOptions Clone() => (SegmentationTrainerOptions)MemberwiseClone();
}
