using Spectre.Console;

namespace MLNet.Segmentation.Samples.Cli;

/// <summary>
/// Spectre.Console over a command's output writer: live progress bars and colours on an interactive terminal, plain
/// text (same tables, no escape codes) when the output is redirected or captured.
/// </summary>
public sealed class Terminal
{
    /// <summary>A terminal writing to <paramref name="output"/>.</summary>
    public Terminal(TextWriter output)
    {
        Output = output ?? throw new ArgumentNullException(nameof(output));
        IsInteractive = ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected;
        Console = IsInteractive
            ? AnsiConsole.Console
            : AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(output),
            });
        if (!IsInteractive) Console.Profile.Width = 160; // logs and captured output: no wrapping at 80 columns
    }

    /// <summary>The raw writer.</summary>
    public TextWriter Output { get; }

    /// <summary>Whether live displays (progress bars) are shown.</summary>
    public bool IsInteractive { get; }

    /// <summary>The Spectre console to render tables and markup to.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Writes one plain line (no markup).</summary>
    public void Line(string text = "") => Console.WriteLine(text);
}
