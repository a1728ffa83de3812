using System.Globalization;
using MLNet.Segmentation.Samples.Demo;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg demo [--out DIR] [--epochs N] [--train N] [--val N] [--size N] [--width N] [--seed N]`: generates the synthetic
/// shapes dataset, trains a small U-Net on the CPU, evaluates it and writes the model, pictures and report.html.
/// </summary>
public sealed class DemoCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "demo";

    /// <inheritdoc />
    public string Summary => "train and evaluate a small U-Net on generated shapes; writes model, PNGs and report.html";

    /// <inheritdoc />
    public Task<int> RunAsync(string[] args, TextWriter output)
    {
        var settings = new DemoSettings();
        for (int i = 0; i < args.Length; i++)
        {
            string option = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{option} needs a value");
            int Int(int min)
            {
                string text = Value();
                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min
                    ? v : throw new UsageException($"{option} must be an integer >= {min}, got '{text}'");
            }
            settings = option switch
            {
                "--out" => settings with { OutputDirectory = Value() },
                "--epochs" => settings with { Epochs = Int(1) },
                "--train" => settings with { TrainImages = Int(8) },
                "--val" => settings with { ValidationImages = Int(1) },
                "--size" => settings with { ImageSize = Int(32) },
                "--width" => settings with { BaseWidth = Int(2) },
                "--seed" => settings with { Seed = Int(0) },
                _ => throw new UsageException($"unknown option '{option}'; options: --out --epochs --train --val --size --width --seed"),
            };
        }
        new DemoPipeline(settings, output).Run();
        return Task.FromResult(0);
    }
}
