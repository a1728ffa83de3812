using System.Globalization;
using System.Text;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// The pixel confusion matrix of an evaluation, shaped like ML.NET's <c>Microsoft.ML.Data.ConfusionMatrix</c>: rows are
/// the true classes, columns the predicted ones, with per-class precision and recall.
/// </summary>
public sealed class PixelConfusionMatrix
{
    private readonly long[][] _counts;

    internal PixelConfusionMatrix(long[,] counts, IReadOnlyList<string> classNames, IReadOnlyList<double> precision, IReadOnlyList<double> recall)
    {
        int k = counts.GetLength(0);
        _counts = Enumerable.Range(0, k).Select(t => Enumerable.Range(0, k).Select(p => counts[t, p]).ToArray()).ToArray();
        (ClassNames, PerClassPrecision, PerClassRecall) = (classNames, precision, recall);
    }

    /// <summary>The number of classes K.</summary>
    public int NumberOfClasses => _counts.Length;

    /// <summary>Pixel counts: <c>Counts[truth][predicted]</c>.</summary>
    public IReadOnlyList<IReadOnlyList<long>> Counts => _counts;

    /// <summary>The class names, by id.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Precision of each class: correct pixels / pixels predicted as the class (NaN when none).</summary>
    public IReadOnlyList<double> PerClassPrecision { get; }

    /// <summary>Recall of each class: correct pixels / pixels of the class (NaN when none).</summary>
    public IReadOnlyList<double> PerClassRecall { get; }

    /// <summary>The count of pixels of true class <paramref name="truth"/> predicted as <paramref name="predicted"/>.</summary>
    public long GetCountForClassPair(int predicted, int truth) => _counts[truth][predicted];

    /// <summary>
    /// The matrix as a text table in the layout of ML.NET's <c>GetFormattedConfusionTable()</c>: a row per true class with
    /// its recall, a column per predicted class, and a precision row.
    /// </summary>
    public string GetFormattedConfusionTable()
    {
        int k = NumberOfClasses;
        var names = Enumerable.Range(0, k).Select(c => c < ClassNames.Count ? ClassNames[c] : c.ToString(CultureInfo.InvariantCulture)).ToArray();
        int label = Math.Max(9, names.Max(n => n.Length));
        int cell = Math.Max(6, Math.Max(names.Max(n => n.Length), _counts.SelectMany(r => r).DefaultIfEmpty(0).Max().ToString(CultureInfo.InvariantCulture).Length));
        string rule = new string(' ', label) + " ||" + new string('=', k * (cell + 3) + 7);
        var text = new StringBuilder();
        text.AppendLine("Confusion table (pixels)");
        text.AppendLine(rule);
        text.Append("PREDICTED".PadRight(label)).Append(" ||");
        foreach (string name in names) text.Append(' ').Append(name.PadLeft(cell)).Append(" |");
        text.AppendLine(" Recall");
        text.Append("TRUTH".PadRight(label)).Append(" ||").AppendLine(new string('=', k * (cell + 3) + 7));
        for (int t = 0; t < k; t++)
        {
            text.Append(names[t].PadLeft(label)).Append(" ||");
            foreach (long count in _counts[t]) text.Append(' ').Append(count.ToString(CultureInfo.InvariantCulture).PadLeft(cell)).Append(" |");
            text.Append(' ').AppendLine(Number(PerClassRecall[t]));
        }
        text.AppendLine(rule);
        text.Append("Precision".PadRight(label)).Append(" ||");
        foreach (double p in PerClassPrecision) text.Append(' ').Append(Number(p).PadLeft(cell)).Append(" |");
        text.AppendLine();
        return text.ToString();
    }

    private static string Number(double value) => double.IsNaN(value) ? "-" : value.ToString("0.0000", CultureInfo.InvariantCulture);
}
