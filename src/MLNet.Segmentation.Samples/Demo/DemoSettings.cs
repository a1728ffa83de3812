namespace MLNet.Segmentation.Samples.Demo;

/// <summary>Settings of the demo run (defaults: about 75 seconds on a 2-core CPU, validation mIoU 0.974).</summary>
public sealed record DemoSettings
{
    /// <summary>Output folder.</summary>
    public string OutputDirectory { get; init; } = "mlseg-demo";
    /// <summary>Training images generated.</summary>
    public int TrainImages { get; init; } = 128;
    /// <summary>Validation images generated.</summary>
    public int ValidationImages { get; init; } = 48;
    /// <summary>Image side in pixels.</summary>
    public int ImageSize { get; init; } = 96;
    /// <summary>Training epochs.</summary>
    public int Epochs { get; init; } = 8;
    /// <summary>U-Net base width.</summary>
    public int BaseWidth { get; init; } = 16;
    /// <summary>Seed of data, augmentation and weights.</summary>
    public int Seed { get; init; } = 7;
    /// <summary>Validation samples drawn in the report and written as PNGs.</summary>
    public int Samples { get; init; } = 6;
}
