using System.Text.Json.Serialization;

namespace MLNet.Segmentation.Experiments;

/// <summary>How strongly a trial augments its training images (as `mlseg train --augment`).</summary>
public enum AugmentationLevel
{
    /// <summary>No augmentation (a random crop only, when the trial crops).</summary>
    [JsonStringEnumMemberName("none")] None,
    /// <summary>Horizontal flips, and vertical ones for gray images.</summary>
    [JsonStringEnumMemberName("flip")] Flip,
    /// <summary>
    /// Gray images: elastic deformation, rotation and flips (and slight noise with a crop); RGB: random scale 0.75..1.25
    /// before the crop (a small rotation on whole images, which must keep one size per batch), flip and colour jitter.
    /// </summary>
    [JsonStringEnumMemberName("full")] Full,
}
