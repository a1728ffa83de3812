using System.Globalization;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Nn;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>`mlseg models`: every architecture's parameter count and the output shape of a forward pass.</summary>
public sealed class ModelsCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "models";

    /// <inheritdoc />
    public string Summary => "architectures with parameter counts and output shapes: --classes K --size HxW [--channels C] [--width-divisor D] [--only NAME,...]";

    /// <inheritdoc />
    public Task<int> RunAsync(string[] args, TextWriter output)
    {
        long classes = 21, channels = 3;
        long height = 256, width = 256;
        int divisor = 1;
        string[]? only = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--classes": classes = PositiveLong(Value(), "--classes"); break;
                case "--channels": channels = PositiveLong(Value(), "--channels"); break;
                case "--width-divisor": divisor = (int)PositiveLong(Value(), "--width-divisor"); break;
                case "--size": (height, width) = ParseSize(Value()); break;
                case "--only": only = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                default: throw new UsageException($"unknown option '{args[i]}'");
            }
        }
        if (divisor > 64 || 64 % divisor != 0) throw new UsageException("--width-divisor must divide 64");
        var entries = ModelCatalog.Entries.Where(e => only is null || only.Contains(e.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        if (only is not null && entries.Count != only.Length)
            throw new UsageException($"unknown architecture in --only; known: {string.Join(", ", ModelCatalog.Entries.Select(e => e.Name))}");

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

    private static long PositiveLong(string text, string option) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value > 0
            ? value : throw new UsageException($"{option} needs a positive integer, got '{text}'");

    private static (long Height, long Width) ParseSize(string text)
    {
        var parts = text.Split('x', 'X');
        if (parts.Length != 2) throw new UsageException($"--size needs HxW, got '{text}'");
        return (PositiveLong(parts[0], "--size"), PositiveLong(parts[1], "--size"));
    }
}
