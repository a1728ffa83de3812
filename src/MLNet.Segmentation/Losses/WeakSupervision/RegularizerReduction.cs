namespace MLNet.Segmentation.Losses.WeakSupervision;

/// <summary>How a regularizer's sum over pixels (or pixel pairs) is reduced.</summary>
public enum RegularizerReduction
{
    /// <summary>Divided by the number of pixels (grid cells for the dense variant) in the batch.</summary>
    MeanPerPixel,
    /// <summary>The plain sum.</summary>
    Sum,
}
