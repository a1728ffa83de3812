namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>Annotation names on the class-id columns that segmentation scorers produce (TorchSharp or ONNX).</summary>
public static class SegmentationAnnotations
{
    /// <summary>The class names (Vector&lt;Text&gt;, one per class) on a PredictedLabel column.</summary>
    public const string ClassNames = "ClassNames";
}
