using System.CommandLine;
using System.Runtime.InteropServices;
using MLNet.Segmentation.Samples.Cli;

namespace MLNet.Segmentation.Samples;

/// <summary>
/// `mlseg COMMAND [options]` on System.CommandLine: help for every command and option (`-h`), typo suggestions,
/// tab completion (the `[suggest]` directive, see `mlseg completion`), and failures as one line with an exit code:
/// 2 for a usage error (unknown command or option, missing or malformed value), 1 for a failure while running.
/// </summary>
public static class CommandLine
{
    // Every ICommand in this assembly, by name: adding a command is adding a class.
    private static readonly SortedDictionary<string, ICommand> Commands = new(
        typeof(CommandLine).Assembly.GetTypes()
            .Where(t => typeof(ICommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (ICommand)Activator.CreateInstance(t)!)
            .ToDictionary(c => c.Name, StringComparer.Ordinal),
        StringComparer.Ordinal);

    /// <summary>The command names, sorted.</summary>
    public static IReadOnlyCollection<string> CommandNames => Commands.Keys;

    /// <summary>The command called <paramref name="name"/>, or null.</summary>
    internal static ICommand? Find(string name) => Commands.GetValueOrDefault(name);

    /// <summary>Runs the command line (no arguments: info) and returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellation = default)
    {
        if (args.Length == 0) args = ["info"];
        var tree = CommandTree.Build(Commands.Values);
        var parsed = tree.Root.Parse(args);
        string name = CommandTree.NameOf(parsed);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"mlseg{(name.Length > 0 ? " " + name : "")}: {CommandTree.DescribeErrors(parsed, tree)}");
            return 2;
        }
        // --help, --version, [suggest] and the like are System.CommandLine's own actions (our commands have none).
        if (parsed.Action is not null)
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellation);
        if (!tree.Handlers.TryGetValue(parsed.CommandResult.Command, out var run))
        {
            error.WriteLine("mlseg: give a command; 'mlseg --help' lists them");
            return 2;
        }

        try
        {
            return await run.Command.RunAsync(CommandTree.ArgumentsOf(parsed, run), output, cancellation);
        }
        catch (UsageException e)
        {
            error.WriteLine($"mlseg {name}: {e.Message}");
            return 2;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            error.WriteLine($"mlseg {name}: cancelled");
            return 130;
        }
        catch (OutOfMemoryException)
        {
            error.WriteLine($"mlseg {name}: out of memory; try a smaller --batch, --tile or image");
            return 1;
        }
        catch (Exception e)
        {
            error.WriteLine($"mlseg {name}: {ErrorText(e)}");
            if (Environment.GetEnvironmentVariable("MLSEG_TRACE") == "1") error.WriteLine(e.ToString());
            return 1;
        }
    }

    /// <summary>
    /// The one-line text of a failure: libtorch's message (TorchSharp rethrows it as <see cref="ExternalException"/>)
    /// without the C++ backtrace under it; an <see cref="ArgumentException"/>'s without " (Parameter 'name')" and
    /// without an out-of-range exception's "Actual value was" line, which mean nothing on the command line; any other
    /// message's lines joined. An exception type that is not one of the expected failures (I/O, data, arguments,
    /// state, format, access, libtorch) is named in front, since its message alone rarely says enough.
    /// </summary>
    internal static string ErrorText(Exception e)
    {
        string message = e.Message;
        if (e is ExternalException)
        {
            int end = message.IndexOfAny(['\r', '\n']);
            return (end < 0 ? message : message[..end]).Trim();
        }
        if (e is ArgumentOutOfRangeException { ActualValue: not null })
        {
            int end = message.IndexOfAny(['\r', '\n']);
            if (end >= 0) message = message[..end];
        }
        if (e is ArgumentException { ParamName: { } parameter }) message = message.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal);
        string text = string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        bool expected = e is IOException or InvalidDataException or ArgumentException or InvalidOperationException or FormatException
            or UnauthorizedAccessException or NotSupportedException;
        return expected ? text : $"{e.GetType().Name}: {text}";
    }
}

/// <summary>One `mlseg` sub-command.</summary>
public interface ICommand
{
    /// <summary>The command's name, e.g. "info".</summary>
    string Name { get; }

    /// <summary>One line for the command list and the command's help.</summary>
    string Summary { get; }

    /// <summary>The options it takes, each with its help line.</summary>
    IReadOnlyList<CommandOption> Options { get; }

    /// <summary>Runs with the parsed options; returns the exit code.</summary>
    Task<int> RunAsync(Arguments args, TextWriter output, CancellationToken cancellation);
}

/// <summary>Bad command-line arguments (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
