using MLNet.Segmentation.Samples.Cli;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg completion`: prints a bash completion function for mlseg, which asks mlseg itself for the candidates through
/// System.CommandLine's `[suggest:POSITION]` directive. Install with `source &lt;(mlseg completion)` (or put the output
/// in ~/.bash_completion).
/// </summary>
public sealed class CompletionCommand : ICommand
{
    /// <summary>The bash script, for the program name <c>mlseg</c>.</summary>
    public const string BashScript = """
        # bash completion for mlseg (from `mlseg completion`)
        _mlseg_complete() {
          local line="${COMP_LINE#* }" cur="${COMP_WORDS[COMP_CWORD]}"
          local position=$(( COMP_POINT - ${#COMP_LINE} + ${#line} ))
          (( position < 0 )) && position=0
          local IFS=$'\n'
          COMPREPLY=( $(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${position}]" "${line}" 2>/dev/null)" -- "${cur}") )
        }
        complete -o default -F _mlseg_complete mlseg
        """;

    /// <inheritdoc />
    public string Name => "completion";

    /// <inheritdoc />
    public string Summary => "print a bash tab-completion script: source <(mlseg completion)";

    /// <inheritdoc />
    public IReadOnlyList<CommandOption> Options { get; } = [];

    /// <inheritdoc />
    public Task<int> RunAsync(Arguments a, TextWriter output, CancellationToken cancellation)
    {
        output.WriteLine(BashScript);
        return Task.FromResult(0);
    }
}
