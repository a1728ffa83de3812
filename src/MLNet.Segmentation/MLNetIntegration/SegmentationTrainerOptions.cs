using Microsoft.ML;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Data.Transforms;
using MLNet.Segmentation.Losses;
using MLNet.Segmentation.Training;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>Options of the segmentation trainers of <c>mlContext.Segmentation().Trainers</c>, with defaults that suit a small dataset.</summary>
public sealed class SegmentationTrainerOptions
{
    /// <summary>
    /// The input image column: an MLImage (ImageAnalytics' LoadImages, ResizeImages, ConvertToGrayscale; any size), a path
    /// (String), PNG/JPEG bytes (Vector&lt;Byte&gt;) or pixels (Vector&lt;Single&gt;, see <see cref="PixelLayout"/>).
    /// </summary>
    public string ImageColumnName { get; set; } = "Image";

    /// <summary>
    /// The ground-truth mask column: class ids from <c>Transforms.ResizeMasks</c>/<c>LoadMasks</c>, a path (String), PNG bytes
    /// (Vector&lt;Byte&gt;), a gray MLImage, or a numeric or key vector (H x W). Every id is checked against
    /// <see cref="NumberOfClasses"/> and <see cref="IgnoreIndex"/> before the first step.
    /// </summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The output column of predicted class ids (Vector&lt;UInt32&gt;, H x W, row-major).</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>The output column of per-class probabilities (Vector&lt;Single&gt;, K x H x W), or null for none.</summary>
    public string? ScoreColumnName { get; set; }

    /// <summary>Number of classes K.</summary>
    public int NumberOfClasses { get; set; } = 2;

    /// <summary>Class names (default "class 0", ...), stored in the model.</summary>
    public IReadOnlyList<string>? ClassNames { get; set; }

    /// <summary>Mask id excluded from the loss and metrics, or null.</summary>
    public long? IgnoreIndex { get; set; }

    /// <summary>
    /// How undecoded masks store ids (default: detected); applied to paths, bytes, MLImages and value vectors alike (Binary:
    /// values of 128 and above are class 1). Ids from LoadMasks/ResizeMasks are already decoded and taken as they are.
    /// </summary>
    public MaskEncoding MaskEncoding { get; set; } = MaskEncoding.Auto;

    /// <summary>Image channels (1 gray, 3 RGB) images are decoded to.</summary>
    public int ImageChannels { get; set; } = 3;

    /// <summary>Shape of a pixel-vector image column (required for Vector&lt;Single&gt; images).</summary>
    public PixelLayout? PixelLayout { get; set; }

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

    /// <summary>Loss (default cross-entropy + Dice, honouring <see cref="IgnoreIndex"/>).</summary>
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
