using System.CommandLine;

namespace MLNet.Segmentation.Samples.Cli;

/// <summary>
/// The System.CommandLine tree of `mlseg`: one <see cref="Command"/> per <see cref="ICommand"/>, one string option per
/// valued <see cref="CommandOption"/> and one bool option per flag, so that System.CommandLine does the parsing, the
/// help, the unknown/repeated/missing checks and the completions, and <see cref="Arguments"/> the typed reading.
/// </summary>
internal sealed class CommandTree
{
    private CommandTree(RootCommand root, Dictionary<Command, Handler> handlers) => (Root, Handlers) = (root, handlers);

    /// <summary>A command's own object and its options by name.</summary>
    internal sealed record Handler(ICommand Command, IReadOnlyDictionary<string, Option> Options);

    /// <summary>The root command.</summary>
    public RootCommand Root { get; }

    /// <summary>Our command behind each System.CommandLine command.</summary>
    public IReadOnlyDictionary<Command, Handler> Handlers { get; }

    /// <summary>The tree of <paramref name="commands"/>.</summary>
    public static CommandTree Build(IEnumerable<ICommand> commands)
    {
        var root = new RootCommand("mlseg: semantic segmentation with MLNet.Segmentation (TorchSharp). 'mlseg COMMAND --help' shows a command's options.");
        var handlers = new Dictionary<Command, Handler>();
        var groups = new Dictionary<string, Command>(StringComparer.Ordinal);
        foreach (var command in commands)
        {
            // "sample mlnet" is the command mlnet under a group command sample (which only lists its members).
            string[] words = command.Name.Split(' ');
            Command parent = root;
            foreach (string group in words[..^1])
            {
                if (!groups.TryGetValue(group, out var groupNode))
                {
                    groupNode = new Command(group, $"{group} commands: 'mlseg {group} --help' lists them");
                    parent.Subcommands.Add(groupNode);
                    groups.Add(group, groupNode);
                }
                parent = groupNode;
            }
            var node = new Command(words[^1], command.Summary);
            var options = new Dictionary<string, Option>(StringComparer.Ordinal);
            foreach (var spec in command.Options)
            {
                Option option = spec.IsFlag
                    ? new Option<bool>(spec.Name) { Description = spec.Help, Arity = ArgumentArity.Zero }
                    : new Option<string>(spec.Name) { Description = spec.Help, HelpName = spec.Value, Required = spec.Required };
                node.Options.Add(option);
                options.Add(spec.Name, option);
            }
            parent.Subcommands.Add(node);
            handlers.Add(node, new Handler(command, options));
        }
        return new CommandTree(root, handlers);
    }

    /// <summary>The options given on the parsed command line, by name (null for a flag).</summary>
    public static Arguments ArgumentsOf(ParseResult parsed, Handler handler)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, option) in handler.Options)
        {
            if (parsed.GetResult(option) is not { Implicit: false }) continue;
            if (option is Option<bool> flag) { if (parsed.GetValue(flag)) values.Add(name, null); }
            else values.Add(name, parsed.GetValue((Option<string>)option));
        }
        return new Arguments(handler.Command.Name, values);
    }

    /// <summary>
    /// The parse errors as one line: the first error in System.CommandLine's words, a suggestion for a mistyped option
    /// or command, and where the help is.
    /// </summary>
    public static string DescribeErrors(ParseResult parsed, CommandTree tree)
    {
        var command = parsed.CommandResult.Command;
        string? unknown = parsed.UnmatchedTokens.FirstOrDefault();
        string first = parsed.Errors[0].Message.TrimEnd('.');
        bool group = command.Subcommands.Count > 0;
        string help = command == tree.Root ? "mlseg --help" : $"mlseg {NameOf(parsed)} --help";
        if (group && unknown is not null && !unknown.StartsWith('-'))
        {
            string known = string.Join(", ", command.Subcommands.Select(c => c.Name).Order(StringComparer.Ordinal));
            return $"unknown command '{unknown}'{Suggest(unknown, command.Subcommands.Select(c => c.Name))}; commands: {known}";
        }
        if (unknown is not null)
        {
            var names = command.Options.Select(o => o.Name).Where(n => n.StartsWith("--", StringComparison.Ordinal));
            return $"unknown argument '{unknown}'{Suggest(unknown, names)} (see '{help}')";
        }
        return $"{first} (see '{help}')";
    }

    /// <summary>The parsed command's full name below the root, e.g. "sample mlnet"; empty for the root.</summary>
    public static string NameOf(ParseResult parsed)
    {
        var names = new List<string>();
        for (var result = parsed.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
            names.Insert(0, result.Command.Name);
        return string.Join(' ', names);
    }

    private static string Suggest(string typed, IEnumerable<string> candidates)
    {
        var close = TypoSuggestions.Closest(typed, candidates);
        return close.Count == 0 ? "" : $" (did you mean {string.Join(" or ", close.Select(c => $"'{c}'"))}?)";
    }
}
