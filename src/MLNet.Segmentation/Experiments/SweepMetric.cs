using System.Text.Json.Serialization;

namespace MLNet.Segmentation.Experiments;

/// <summary>The validation metric a sweep ranks trials by (higher is better).</summary>
public enum SweepMetric
{
    /// <summary>Mean intersection over union.</summary>
    [JsonStringEnumMemberName("miou")] MeanIoU,
    /// <summary>Pixel accuracy.</summary>
    [JsonStringEnumMemberName("pixel-accuracy")] PixelAccuracy,
}
