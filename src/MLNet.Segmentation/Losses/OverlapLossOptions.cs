namespace MLNet.Segmentation.Losses;

/// <summary>Options shared by the soft overlap losses (<see cref="DiceLoss"/>, <see cref="JaccardLoss"/>, <see cref="TverskyLoss"/>).</summary>
public record OverlapLossOptions
{
    /// <summary>Softmax over K classes or a single sigmoid foreground channel.</summary>
    public OverlapMode Mode { get; init; } = OverlapMode.Multiclass;

    /// <summary>Added to numerator and denominator of each class score; keeps empty classes finite (default 1e-5).</summary>
    public double Smooth { get; init; } = 1e-5;

    /// <summary>Per-class weights of the weighted mean over classes (length K; 1 in binary mode), or null for equal weights.</summary>
    public double[]? ClassWeights { get; init; }

    /// <summary>Target id whose pixels count neither in the prediction nor in the target, or null.</summary>
    public long? IgnoreIndex { get; init; }

    /// <summary>
    /// When false (the default, as segmentation_models_pytorch), classes absent from the batch's target are left out
    /// of the mean over classes; when true every class counts.
    /// </summary>
    public bool IncludeAbsentClasses { get; init; }
}
