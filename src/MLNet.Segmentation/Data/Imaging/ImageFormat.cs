namespace MLNet.Segmentation.Data;

/// <summary>Encoded image formats the codecs understand (values match the bridge's mlseg_image_format).</summary>
public enum ImageFormat
{
    /// <summary>Not decoded from a file (made in memory).</summary>
    None = 0,
    /// <summary>Portable Network Graphics.</summary>
    Png = 1,
    /// <summary>JPEG (baseline or progressive).</summary>
    Jpeg = 2,
}
