using System.Globalization;

namespace MLNet.Segmentation.Samples.Cli;

/// <summary>
/// The options given to one command, as System.CommandLine parsed them (<see cref="CommandLine"/>), with typed readers
/// that report a malformed or out-of-range value the same way in every command (as <see cref="UsageException"/>).
/// </summary>
public sealed class Arguments
{
    private readonly IReadOnlyDictionary<string, string?> _values;
    private readonly string _command;

    /// <summary>The values of the options given to <paramref name="command"/>: option name to value (null for a flag).</summary>
    public Arguments(string command, IReadOnlyDictionary<string, string?> values)
    {
        _command = command;
        _values = values;
    }

    /// <summary>The options as they could be typed again, e.g. "--arch unet --epochs 5 --resume".</summary>
    public string CommandLineText =>
        string.Join(" ", _values.Select(v => v.Value is null ? v.Key : $"{v.Key} {(v.Value.Contains(' ') || v.Value.Length == 0 ? $"'{v.Value}'" : v.Value)}"));

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

    /// <summary>An "HxW" size option (each side in [1, max]), or <paramref name="fallback"/>.</summary>
    public (int Height, int Width) Size(string name, (int Height, int Width) fallback, int max = 65536)
    {
        if (String(name) is not { } text) return fallback;
        var parts = text.Split('x', 'X');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int height) && height >= 1 && height <= max
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int width) && width >= 1 && width <= max)
            return (height, width);
        throw Usage($"{name} must be HEIGHTxWIDTH with sides in [1, {max}], e.g. 256x256, got '{text}'");
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

    /// <summary>A usage error that points at the command's help.</summary>
    public UsageException Usage(string message) => new($"{message} (see 'mlseg {_command} --help')");
}
