namespace MLNet.Segmentation.Samples.Cli;

/// <summary>
/// One option of an `mlseg` command, as its help shows it: the name, the value's placeholder (null for a flag, which
/// takes no value) and one line of help. Values are read and checked by <see cref="Arguments"/>.
/// </summary>
/// <param name="Name">The option, e.g. "--tile".</param>
/// <param name="Value">The value's placeholder in help, e.g. "N"; null for a flag.</param>
/// <param name="Help">One line of help, with the default where there is one.</param>
public sealed record CommandOption(string Name, string? Value, string Help)
{
    /// <summary>An option that takes a value.</summary>
    public static CommandOption Valued(string name, string value, string help) => new(name, value, help);

    /// <summary>A flag (no value).</summary>
    public static CommandOption Flag(string name, string help) => new(name, null, help);

    /// <summary>True when the command cannot run without it (help marks it; a missing one is a usage error).</summary>
    public bool Required { get; init; }

    /// <summary>True for a flag.</summary>
    public bool IsFlag => Value is null;
}
