using System.Globalization;
using System.Text;
using MLNet.Segmentation.IO;

namespace MLNet.Segmentation.Data;

/// <summary>
/// A text file of per-epoch visiting orders for <see cref="DataLoaderOptions.EpochOrders"/>: one line per epoch, the
/// dataset indices in the order that epoch visits them, separated by spaces; lines starting with '#' and blank lines are
/// skipped. Written by another program (e.g. a PyTorch twin's script), it makes both train on the same sequence.
/// </summary>
public static class EpochOrderFile
{
    /// <summary>
    /// Reads the orders in <paramref name="path"/>; with <paramref name="count"/>, each line must be a permutation of
    /// 0..count-1. A bad file is an <see cref="InvalidDataException"/> naming the file and line.
    /// </summary>
    public static IReadOnlyList<int[]> Read(string path, int? count = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"epoch order file '{path}' does not exist", path);
        var orders = new List<int[]>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            string text = line.Trim();
            if (text.Length == 0 || text[0] == '#') continue;
            string[] fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var order = new int[fields.Length];
            for (int i = 0; i < fields.Length; i++)
            {
                if (!int.TryParse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture, out order[i]))
                    throw new InvalidDataException($"{path}, line {lineNumber}: '{fields[i]}' is not a sample index");
            }
            if (count is int n && PermutationProblem(order, n) is { } problem) throw new InvalidDataException($"{path}, line {lineNumber}: {problem}");
            orders.Add(order);
        }
        if (orders.Count == 0) throw new InvalidDataException($"{path}: no epoch order in the file");
        return orders;
    }

    /// <summary>Writes <paramref name="orders"/> to <paramref name="path"/> (whole or not at all), after a '#' comment line <paramref name="comment"/>.</summary>
    public static void Write(string path, IEnumerable<IReadOnlyList<int>> orders, string? comment = null)
    {
        ArgumentNullException.ThrowIfNull(orders);
        var text = new StringBuilder();
        if (comment is not null) text.Append("# ").Append(comment.ReplaceLineEndings(" ")).Append('\n');
        foreach (var order in orders) text.AppendJoin(' ', order).Append('\n');
        AtomicFile.Write(path, Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>Why <paramref name="order"/> is not a permutation of 0..count-1, or null when it is one.</summary>
    internal static string? PermutationProblem(IReadOnlyList<int> order, int count)
    {
        if (order.Count != count) return $"{order.Count} indices where the dataset has {count} samples";
        var seen = new bool[count];
        foreach (int index in order)
        {
            if (index < 0 || index >= count) return $"index {index} is outside 0..{count - 1}";
            if (seen[index]) return $"index {index} appears twice";
            seen[index] = true;
        }
        return null;
    }
}
