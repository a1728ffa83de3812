using MLNet.Segmentation.Data;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// What the segmentation trainers and experiments both read from the data: the image, mask and output columns, the
/// classes and how masks and images are stored.
/// </summary>
public abstract class SegmentationDataOptions
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
}
