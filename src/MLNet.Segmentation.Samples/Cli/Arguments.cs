using System.Globalization;

namespace MLNet.Segmentation.Samples.Cli;

/// <summary>
/// Parses "--name value" options and "--flag" switches against a declared set, so that every command reports unknown,
/// repeated, missing and malformed options the same way (as <see cref="UsageException"/>).
/// </summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly string _usage;

    /// <summary>Parses <paramref name="args"/>; <paramref name="options"/> take a value, <paramref name="flags"/> do not.</summary>
    public Arguments(string[] args, string usage, IEnumerable<string> options, IEnumerable<string>? flags = null)
    {
        _usage = usage;
        var valued = new HashSet<string>(options, StringComparer.Ordinal);
        var switches = new HashSet<string>(flags ?? [], StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string? value = null;
            if (valued.Contains(name))
            {
                if (i + 1 >= args.Length || (args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1].Length > 2))
                    throw Usage($"{name} needs a value");
                value = args[++i];
            }
            else if (!switches.Contains(name)) throw Usage($"unknown argument '{name}'");
            if (!_values.TryAdd(name, value)) throw Usage($"{name} is given twice");
        }
    }

    /// <summary>Whether the option or flag was given.</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>The option's text, or <paramref name="fallback"/>.</summary>
    public string? String(string name, string? fallback = null) => _values.TryGetValue(name, out var v) ? v : fallback;

    /// <summary>The option's text; a usage error when it is absent.</summary>
    public string Required(string name) => String(name) ?? throw Usage($"{name} is required");

    /// <summary>An integer option in [min, max].</summary>
    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue) =>
        IntOrNull(name, min, max) ?? fallback;

    /// <summary>An integer option in [min, max], or null when absent.</summary>
    public int? IntOrNull(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        if (String(name) is not { } text) return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
            throw Usage($"{name} must be an integer in [{min}, {max}], got '{text}'");
        return value;
    }

    /// <summary>A number option in [min, max].</summary>
    public double Double(string name, double fallback, double min = double.MinValue, double max = double.MaxValue) =>
        DoubleOrNull(name, min, max) ?? fallback;

    /// <summary>A number option in [min, max], or null when absent.</summary>
    public double? DoubleOrNull(string name, double min = double.MinValue, double max = double.MaxValue)
    {
        if (String(name) is not { } text) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value) || value < min || value > max)
            throw Usage($"{name} must be a number in [{min}, {max}], got '{text}'");
        return value;
    }

    /// <summary>One of <paramref name="choices"/> (case-insensitive), returned in lower case.</summary>
    public string Choice(string name, string fallback, params string[] choices)
    {
        string text = String(name, fallback)!.ToLowerInvariant();
        return choices.Contains(text) ? text : throw Usage($"{name} must be one of {string.Join("|", choices)}, got '{String(name)}'");
    }

    /// <summary>A comma-separated list of numbers, or null when absent.</summary>
    public float[]? Floats(string name)
    {
        if (String(name) is not { } text) return null;
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
                throw Usage($"{name} must be comma-separated numbers, got '{text}'");
        return values.Length > 0 ? values : throw Usage($"{name} is empty");
    }

    /// <summary>A usage error that ends with the command's usage line.</summary>
    public UsageException Usage(string message) => new($"{message}. {_usage}");
}
