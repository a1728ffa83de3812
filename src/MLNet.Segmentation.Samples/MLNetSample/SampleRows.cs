using Microsoft.ML.Data;

namespace MLNet.Segmentation.Samples.MLNetSample;

/// <summary>A training or validation row: an image and its mask, as paths.</summary>
public sealed class LabeledImage
{
    /// <summary>The image file.</summary>
    public string ImagePath { get; set; } = "";

    /// <summary>The mask file (class ids, or 0/255 for the membrane data).</summary>
    public string MaskPath { get; set; } = "";
}

/// <summary>A scoring row: an image only.</summary>
public sealed class ImageToSegment
{
    /// <summary>The image file.</summary>
    public string ImagePath { get; set; } = "";
}

/// <summary>What the sample reads back per row: the class ids and the two pictures.</summary>
public sealed class SegmentedImage
{
    /// <summary>H x W class ids.</summary>
    public uint[] PredictedLabel { get; set; } = [];

    /// <summary>The classes in their colours.</summary>
    public MLImage Colored { get; set; } = null!;

    /// <summary>The classes blended over the image.</summary>
    public MLImage Overlay { get; set; } = null!;
}
