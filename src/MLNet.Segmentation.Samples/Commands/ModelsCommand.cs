using System.Globalization;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Samples.Cli;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>`mlseg models`: every architecture's parameter count and the output shape of a forward pass.</summary>
public sealed class ModelsCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "models";

    /// <inheritdoc />
    public string Summary => "every architecture's parameter count and the output shape of a forward pass";

    /// <inheritdoc />
    public IReadOnlyList<CommandOption> Options { get; } =
    [
        CommandOption.Valued("--classes", "K", "number of classes [21]"),
        CommandOption.Valued("--size", "HxW", "input size of the forward pass [256x256]"),
        CommandOption.Valued("--channels", "C", "input channels [3]"),
        CommandOption.Valued("--width-divisor", "D", "divide every layer's width by D (a divisor of 64) [1]"),
        CommandOption.Valued("--only", "NAME,...", "only these architectures (catalog names)"),
    ];

    /// <inheritdoc />
    public Task<int> RunAsync(Arguments a, TextWriter output, CancellationToken cancellation)
    {
        long classes = a.Int("--classes", 21, 1, 1024), channels = a.Int("--channels", 3, 1, 64);
        var (height, width) = a.Size("--size", (256, 256), 8192);
        int divisor = a.Int("--width-divisor", 1, 1, 64);
        string[]? only = a.String("--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (64 % divisor != 0) throw a.Usage("--width-divisor must divide 64");
        var entries = ModelCatalog.Entries.Where(e => only is null || only.Contains(e.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        if (only is not null && entries.Count != only.Length)
            throw a.Usage($"unknown architecture in --only; known: {string.Join(", ", ModelCatalog.Entries.Select(e => e.Name))}");

        output.WriteLine($"{"architecture",-24} {"parameters",14}  output shape (input 1x{channels}x{height}x{width}, {classes} classes, width/{divisor})");
        random.manual_seed(0);
        using var generator = new Generator(0);
        foreach (var entry in entries)
        {
            using var scope = NewDisposeScope();
            using var model = entry.Create(new ModelBuildSettings(classes, channels, divisor));
            model.eval();
            var input = randn([1, channels, height, width], generator: generator);
            string shape;
            using (no_grad()) shape = TensorData.ShapeOf(model.call(input));
            output.WriteLine($"{entry.Name,-24} {model.ParameterCount().ToString("N0", CultureInfo.InvariantCulture),14}  {shape}");
        }
        return Task.FromResult(0);
    }
}
