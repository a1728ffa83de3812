using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Nn;

/// <summary>A tensor present on both sides of a state-dict load but with different shapes.</summary>
public sealed record StateDictShapeMismatch(string Name, long[] ExpectedShape, long[] ActualShape)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}: model has {Tensor.ShapeText(ExpectedShape)}, state dict has {Tensor.ShapeText(ActualShape)}";
}

/// <summary>What <see cref="Module.LoadStateDict"/> found: names missing from the source, unexpected names, shape mismatches.</summary>
public sealed record StateDictLoadReport(IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected,
    IReadOnlyList<StateDictShapeMismatch> Mismatched, int LoadedCount)
{
    /// <summary>True when every name matched with the same shape.</summary>
    public bool IsExactMatch => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    /// <inheritdoc />
    public override string ToString()
    {
        var lines = new List<string> { $"loaded {LoadedCount} tensors" };
        if (Missing.Count > 0) lines.Add($"missing ({Missing.Count}): {string.Join(", ", Missing)}");
        if (Unexpected.Count > 0) lines.Add($"unexpected ({Unexpected.Count}): {string.Join(", ", Unexpected)}");
        if (Mismatched.Count > 0) lines.Add($"shape mismatch ({Mismatched.Count}): {string.Join("; ", Mismatched)}");
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>A strict state-dict load found missing, unexpected or mismatched tensors (nothing was copied).</summary>
public sealed class StateDictMismatchException(StateDictLoadReport report)
    : InvalidOperationException("the state dict does not match the module" + Environment.NewLine + report)
{
    /// <summary>The names that did not match.</summary>
    public StateDictLoadReport Report { get; } = report;
}
