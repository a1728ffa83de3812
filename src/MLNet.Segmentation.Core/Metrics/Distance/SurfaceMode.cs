namespace MLNet.Segmentation.Metrics.Distance;

/// <summary>Which pixels of a mask enter a Hausdorff distance.</summary>
public enum SurfaceMode
{
    /// <summary>
    /// Every foreground pixel, measured to the nearest foreground pixel of the other mask: the Hausdorff distance of
    /// the two pixel sets, as scipy.spatial.distance.directed_hausdorff on their coordinates (the default).
    /// </summary>
    AllPixels,

    /// <summary>
    /// Boundary pixels only (foreground pixels with a 4-neighbour outside the mask or outside the image), measured to
    /// the nearest boundary pixel of the other mask, as MONAI's compute_hausdorff_distance with its default edges.
    /// </summary>
    Boundary,
}
