using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Nn;

/// <summary>A tensor present on both sides of a state-dict load but with different shapes.</summary>
public sealed record StateDictShapeMismatch(string Name, long[] ExpectedShape, long[] ActualShape)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}: model has {TensorData.ShapeText(ExpectedShape)}, state dict has {TensorData.ShapeText(ActualShape)}";
}

/// <summary>What <see cref="StateDicts.Load"/> found: names missing from the source, unexpected names, shape mismatches.</summary>
public sealed record StateDictLoadReport(IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected,
    IReadOnlyList<StateDictShapeMismatch> Mismatched, int LoadedCount)
{
    /// <summary>True when every name matched with the same shape.</summary>
    public bool IsExactMatch => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    /// <summary>One line: the counts and the first few names of each kind.</summary>
    public string Summary()
    {
        static string Few<T>(IReadOnlyList<T> items) =>
            string.Join(", ", items.Take(3)) + (items.Count > 3 ? $" and {items.Count - 3} more" : "");
        var parts = new List<string> { $"loaded {LoadedCount} tensors" };
        if (Missing.Count > 0) parts.Add($"{Missing.Count} missing ({Few(Missing)})");
        if (Unexpected.Count > 0) parts.Add($"{Unexpected.Count} unexpected ({Few(Unexpected)})");
        if (Mismatched.Count > 0) parts.Add($"{Mismatched.Count} with another shape ({Few(Mismatched)})");
        return string.Join("; ", parts);
    }

    /// <inheritdoc />
    public override string ToString() => Summary();
}

/// <summary>A strict state-dict load found missing, unexpected or mismatched tensors (nothing was copied).</summary>
public sealed class StateDictMismatchException(StateDictLoadReport report)
    : InvalidOperationException("the weights do not match the network: " + report.Summary())
{
    /// <summary>The names that did not match.</summary>
    public StateDictLoadReport Report { get; } = report;
}
