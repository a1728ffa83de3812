namespace MLNet.Segmentation.Data.Transforms;

/// <summary>Interpolation of images in resizing transforms (masks always use nearest neighbour).</summary>
public enum ImageResizeMode
{
    /// <summary>Bilinear (align_corners = false).</summary>
    Bilinear,
    /// <summary>Area averaging (box filter), the better choice for downscaling.</summary>
    Area,
    /// <summary>Nearest neighbour.</summary>
    Nearest,
}
