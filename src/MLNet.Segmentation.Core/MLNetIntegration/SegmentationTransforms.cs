using Microsoft.ML;
using Microsoft.ML.Transforms.Image;
using MLNet.Segmentation.Data;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// Column transforms for segmentation pipelines (stateless: fitting only checks the schema). The mask steps
/// (<see cref="LoadMasks"/>, <see cref="ResizeMasks"/>) add nothing when their input column is absent, so they belong in the
/// pipeline itself (no TransformerScope): training and evaluation rows carry masks, scoring rows need not.
/// </summary>
public sealed class SegmentationTransforms
{
    internal SegmentationTransforms(MLContext context) => _ = context;

    /// <summary>
    /// Decodes masks (<paramref name="inputColumnName"/>: path, PNG bytes, gray MLImage, or a value vector to which the
    /// encoding, e.g. Binary, is applied) into validated class ids (Vector&lt;UInt32&gt;, H x W row-major) in
    /// <paramref name="outputColumnName"/>.
    /// </summary>
    public ColumnTransformEstimator LoadMasks(string outputColumnName, string? inputColumnName = null, MaskOptions? options = null) =>
        new(new MaskLoadingTransformer(outputColumnName, inputColumnName ?? outputColumnName, options ?? new MaskOptions()));

    /// <summary>
    /// Resizes masks (path, PNG bytes, gray MLImage, or a class-id vector with dimensions [H, W]) to
    /// <paramref name="imageWidth"/> x <paramref name="imageHeight"/> class ids (Vector&lt;UInt32, H, W&gt;) by nearest
    /// neighbour, with the geometry of <c>mlContext.Transforms.ResizeImages</c> for the same <paramref name="resizing"/> and
    /// <paramref name="cropAnchor"/> (the same defaults), so masks line up with their resized images. No id is ever blended;
    /// IsoPad pads with the ignore index of <paramref name="options"/> (else 0). Binary and the other encodings of
    /// <paramref name="options"/> are applied while decoding.
    /// </summary>
    public ColumnTransformEstimator ResizeMasks(string outputColumnName, int imageWidth, int imageHeight, string? inputColumnName = null,
        ImageResizingEstimator.ResizingKind resizing = ImageResizingEstimator.ResizingKind.IsoCrop,
        ImageResizingEstimator.Anchor cropAnchor = ImageResizingEstimator.Anchor.Center, MaskOptions? options = null) =>
        new(new MaskResizingTransformer(outputColumnName, inputColumnName ?? outputColumnName, imageWidth, imageHeight, resizing, cropAnchor,
            options ?? new MaskOptions()));

    /// <summary>
    /// Decodes images (path, PNG/JPEG bytes or MLImage) into planar C x H x W floats in [0, 1] (Vector&lt;Single&gt;), the
    /// layout of <see cref="PixelLayout"/> with Scale 1.
    /// </summary>
    public ColumnTransformEstimator LoadImages(string outputColumnName, string inputColumnName, int channels = 3) =>
        new(new ImageLoadingTransformer(outputColumnName, inputColumnName, channels));

    /// <summary>Per-channel (x - mean) / std of a planar C x H x W float column.</summary>
    public ColumnTransformEstimator NormalizeImage(string outputColumnName, string inputColumnName, float[] mean, float[] std) =>
        new(new ImageNormalizingTransformer(outputColumnName, inputColumnName, mean, std));

    /// <summary>
    /// Paints a class-id mask (default PredictedLabel) in one colour per class (<paramref name="colors"/>, index = id; default
    /// the VOC palette) as an RGB MLImage column. The mask's size comes from its column's dimensions (known when the image
    /// column has a fixed size, e.g. after ResizeImages), else from <paramref name="imageColumnName"/>.
    /// </summary>
    public ColumnTransformEstimator ColorizeMask(string outputColumnName, string inputColumnName = "PredictedLabel",
        IReadOnlyList<Rgb>? colors = null, string? imageColumnName = null) =>
        new(new MaskColorizingTransformer(outputColumnName, inputColumnName, colors, imageColumnName));

    /// <summary>
    /// Blends the class colours of a mask (default PredictedLabel) over the image in <paramref name="imageColumnName"/> (path,
    /// bytes or MLImage) at <paramref name="opacity"/>, as an RGB MLImage column; <paramref name="transparentClass"/> stays unpainted.
    /// </summary>
    public ColumnTransformEstimator OverlayMask(string outputColumnName, string imageColumnName, string maskColumnName = "PredictedLabel",
        IReadOnlyList<Rgb>? colors = null, double opacity = 0.5, long? transparentClass = 0) =>
        new(new MaskOverlayTransformer(outputColumnName, imageColumnName, maskColumnName, colors, opacity, transparentClass));

    /// <summary>
    /// Class scores (Vector&lt;Single&gt;, K x H x W: e.g. the "logits" output of an exported network after
    /// <c>mlContext.Transforms.ApplyOnnxModel</c>) → class ids (Vector&lt;UInt32&gt;, H x W), annotated with
    /// <paramref name="classNames"/> like a segmentation trainer's PredictedLabel, for ColorizeMask, OverlayMask and
    /// Evaluate. K, H and W come from the column's dimensions when it has them ([K, H, W] or [1, K, H, W]); otherwise give
    /// <paramref name="numberOfClasses"/> (and <paramref name="height"/>/<paramref name="width"/> for a sized output).
    /// </summary>
    public ColumnTransformEstimator ArgMaxMask(string outputColumnName = "PredictedLabel", string inputColumnName = "logits",
        IReadOnlyList<string>? classNames = null, int? numberOfClasses = null, int? height = null, int? width = null) =>
        new(new ArgMaxMaskTransformer(outputColumnName, inputColumnName, classNames, numberOfClasses, height, width));
}
