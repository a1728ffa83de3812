namespace MLNet.Segmentation.Metrics.Distance;

/// <summary>
/// The Hausdorff distance between two masks and its 95th percentile, in the units of the pixel spacing. Both are
/// NaN when both masks are empty (the class is absent, as for IoU) and +infinity when exactly one is empty.
/// </summary>
public readonly record struct HausdorffResult(double Distance, double Percentile95)
{
    /// <summary>The result for two empty masks.</summary>
    public static HausdorffResult BothEmpty { get; } = new(double.NaN, double.NaN);

    /// <summary>The result when exactly one mask is empty.</summary>
    public static HausdorffResult OneEmpty { get; } = new(double.PositiveInfinity, double.PositiveInfinity);
}
