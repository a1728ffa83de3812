using System.Runtime.InteropServices;

namespace MLNet.Segmentation.Samples;

/// <summary>Dispatches `mlseg COMMAND ...` and turns failures into one-line errors with a non-zero exit code.</summary>
public static class CommandLine
{
    // Every ICommand in this assembly, by name: adding a command is adding a class.
    private static readonly SortedDictionary<string, ICommand> Commands = new(
        typeof(CommandLine).Assembly.GetTypes()
            .Where(t => typeof(ICommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (ICommand)Activator.CreateInstance(t)!)
            .ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase),
        StringComparer.OrdinalIgnoreCase);

    /// <summary>Runs the command named by args[0] (default: info) and returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        string name = args.Length == 0 ? "info" : args[0];
        if (name is "-h" or "--help" or "help")
        {
            PrintUsage(output);
            return 0;
        }
        if (!Commands.TryGetValue(name, out var command))
        {
            error.WriteLine($"mlseg: unknown command '{name}'. Commands: {string.Join(", ", Commands.Keys)}");
            return 2;
        }
        try
        {
            return await command.RunAsync(args[1..], output);
        }
        catch (UsageException e)
        {
            error.WriteLine($"mlseg {name}: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or ExternalException
                                      or InvalidOperationException or FormatException or UnauthorizedAccessException)
        {
            error.WriteLine($"mlseg {name}: {ErrorText(e)}");
            return 1;
        }
    }

    /// <summary>
    /// The one-line text of a failure: libtorch's message (TorchSharp rethrows it as <see cref="ExternalException"/>)
    /// without the C++ backtrace under it; an <see cref="ArgumentException"/>'s without " (Parameter 'name')", which
    /// means nothing on the command line; any other message's lines joined.
    /// </summary>
    internal static string ErrorText(Exception e)
    {
        string message = e.Message;
        if (e is ExternalException)
        {
            int end = message.IndexOfAny(['\r', '\n']);
            return (end < 0 ? message : message[..end]).Trim();
        }
        if (e is ArgumentException { ParamName: { } parameter }) message = message.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal);
        return string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static void PrintUsage(TextWriter output)
    {
        output.WriteLine("usage: mlseg COMMAND [options]");
        foreach (var (name, command) in Commands) output.WriteLine($"  {name,-10} {command.Summary}");
    }
}

/// <summary>One `mlseg` sub-command.</summary>
public interface ICommand
{
    /// <summary>The command's name, e.g. "info".</summary>
    string Name { get; }

    /// <summary>One line for the usage text.</summary>
    string Summary { get; }

    /// <summary>Runs with the arguments after the command name; returns the exit code.</summary>
    Task<int> RunAsync(string[] args, TextWriter output);
}

/// <summary>Bad command-line arguments (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
