using System.Text;
using System.Text.Json;

namespace MLNet.Segmentation.Metrics.Evaluation;

/// <summary>
/// The result of <see cref="MaskFolderEvaluator"/> and <see cref="MaskEvaluationAccumulator"/>: metrics of the confusion matrix summed over all images and,
/// per class, the Hausdorff distance and HD95 averaged over images (see <see cref="Hausdorff"/>).
/// </summary>
public sealed class MaskEvaluation(SegmentationMetrics metrics, double[] hausdorff, double[] hausdorff95, IReadOnlyList<string> files)
{
    /// <summary>Metrics of the summed confusion matrix.</summary>
    public SegmentationMetrics Metrics { get; } = metrics;

    /// <summary>
    /// Per class: the mean over images of the Hausdorff distance, taken over images where it is finite (the class is
    /// in both masks). If it is finite in no image: +infinity when some image had the class in exactly one mask,
    /// otherwise NaN (the class never appears).
    /// </summary>
    public double[] Hausdorff { get; } = hausdorff;

    /// <summary>Per class: HD95 averaged over images as <see cref="Hausdorff"/>.</summary>
    public double[] Hausdorff95 { get; } = hausdorff95;

    /// <summary>The file names evaluated, in order.</summary>
    public IReadOnlyList<string> Files { get; } = files;

    /// <summary>The per-class table and summary metrics (<see cref="MetricsTable"/>).</summary>
    public string ToTable() => MetricsTable.Format(Metrics, Hausdorff, Hausdorff95);

    /// <summary>
    /// One JSON object: pixel_accuracy, mean_class_accuracy, miou, fwiou, confusion_matrix (rows = ground truth) and
    /// per_class (class, iou, dice, precision, recall, hd, hd95); NaN and infinity are written as null.
    /// </summary>
    public string ToJson(bool indented = false)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            json.WriteStartObject();
            Number(json, "pixel_accuracy", Metrics.PixelAccuracy);
            Number(json, "mean_class_accuracy", Metrics.MeanClassAccuracy);
            Number(json, "miou", Metrics.MeanIoU);
            Number(json, "fwiou", Metrics.FrequencyWeightedIoU);
            json.WriteNumber("images", Files.Count);
            json.WriteStartArray("confusion_matrix");
            for (int t = 0; t < Metrics.NumClasses; t++)
            {
                json.WriteStartArray();
                for (int p = 0; p < Metrics.NumClasses; p++) json.WriteNumberValue(Metrics.Matrix[t, p]);
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteStartArray("per_class");
            for (int c = 0; c < Metrics.NumClasses; c++)
            {
                json.WriteStartObject();
                json.WriteNumber("class", c);
                Number(json, "iou", Metrics.IoU[c]);
                Number(json, "dice", Metrics.Dice[c]);
                Number(json, "precision", Metrics.Precision[c]);
                Number(json, "recall", Metrics.Recall[c]);
                Number(json, "hd", Hausdorff[c]);
                Number(json, "hd95", Hausdorff95[c]);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, value);
        else json.WriteNull(name);
    }
}
