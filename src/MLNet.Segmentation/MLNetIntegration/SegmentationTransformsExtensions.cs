using Microsoft.ML;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>The MLNet.Segmentation package's members of <c>mlContext.Segmentation().Transforms</c> that run on TorchSharp.</summary>
public static class SegmentationTransformsExtensions
{
    /// <summary>
    /// Joint image/mask augmentation (e.g. <c>Pipelines.ShapesTrain()</c>, or a <see cref="Data.Transforms.Compose"/> of
    /// crops, flips, rotations, colour jitter) applied by the segmentation trainer that directly follows, anew in every
    /// epoch. Rows pass through unchanged (also at scoring, so no TransformerScope is needed), and SaveModel leaves it out.
    /// </summary>
    public static AugmentationEstimator Augment(this SegmentationTransforms catalog, Data.Transforms.IJointTransform augmentation, string imageColumnName = "Image", string labelColumnName = "Label") =>
        new(augmentation, imageColumnName, labelColumnName);
}
