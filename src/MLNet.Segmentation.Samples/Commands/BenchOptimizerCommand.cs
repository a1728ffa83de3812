using System.Diagnostics;
using System.Text.Json.Nodes;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Samples.Cli;
using MLNet.Segmentation.Training.Optimizers;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg bench-optimizer`: the time of one optimizer step alone over a bench network's parameters, each given a fixed
/// random gradient; median of the repeats after warm-up. build/bench/optimizer.sh runs it beside torch.optim on the
/// same parameter shapes (build/bench/optimizer.py).
/// </summary>
public sealed class BenchOptimizerCommand : ICommand
{
    private const string Usage =
        "usage: mlseg bench-optimizer [--arch unet,segnet,fcn8s,deeplabv3plus] [--optimizer adam|adamw|sgd] [--warmup 2] [--repeats 10] " +
        "[--foreach auto|on|off] [--classes 21] [--width-divisor 1] [--device cpu|cuda]";

    /// <inheritdoc />
    public string Name => "bench-optimizer";

    /// <inheritdoc />
    public string Summary => "time of one optimizer step over a bench network's parameters";

    /// <inheritdoc />
    public Task<int> RunAsync(string[] args, TextWriter output)
    {
        var a = new Arguments(args, Usage, ["--arch", "--optimizer", "--warmup", "--repeats", "--classes", "--width-divisor", "--device", "--foreach"]);
        var archs = BenchWorkload.ParseArchitectures(a);
        string kind = a.Choice("--optimizer", "adam", "adam", "adamw", "sgd");
        int warmup = a.Int("--warmup", 2, 0, 1000), repeats = a.Int("--repeats", 10, 1, 10_000), classes = a.Int("--classes", 21, 2, 256);
        int widthDivisor = a.Int("--width-divisor", 1, 1, 64);
        bool? foreachOps = a.Choice("--foreach", "auto", "auto", "on", "off") switch { "on" => true, "off" => false, _ => null };
        var device = BenchWorkload.ParseDevice(a);
        foreach (string arch in archs) output.WriteLine(Measure(arch, kind, foreachOps, warmup, repeats, classes, widthDivisor, device).ToJsonString());
        return Task.FromResult(0);
    }

    private static JsonObject Measure(string arch, string kind, bool? foreachOps, int warmup, int repeats, int classes, int widthDivisor, Device device)
    {
        using var scope = DisposeScope.Enter();
        var generator = new Generator(0);
        var model = ModelCatalog.Create(BenchWorkload.CatalogNames[arch], new ModelBuildSettings(classes, 3, widthDivisor, generator));
        model.To(device);
        var parameters = model.Parameters().ToList();
        foreach (var parameter in parameters)
            parameter.Grad = Tensor.Randn(parameter.Shape, generator, device: device).MulInPlace(1e-3);
        using Optimizer optimizer = kind switch
        {
            "sgd" => new Sgd(parameters, new SgdOptions { LearningRate = 1e-2, Momentum = 0.9 }) { Foreach = foreachOps },
            "adamw" => new Adam(parameters, new AdamOptions { LearningRate = 1e-4, WeightDecay = 0.01, Decoupled = true }) { Foreach = foreachOps },
            _ => new Adam(parameters, new AdamOptions { LearningRate = 1e-4 }) { Foreach = foreachOps },
        };
        for (int i = 0; i < warmup; i++) optimizer.Step();
        BenchWorkload.Synchronize(device);
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            optimizer.Step();
            BenchWorkload.Synchronize(device);
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        long count = parameters.Sum(p => p.NumberOfElements);
        return new JsonObject
        {
            ["framework"] = "MLNet.Segmentation", ["arch"] = arch, ["optimizer"] = kind, ["device"] = device.ToString(),
            ["foreach"] = foreachOps is null ? "auto" : foreachOps.Value ? "on" : "off", ["foreach_steps"] = optimizer.ForeachSteps,
            ["width_divisor"] = widthDivisor, ["tensors"] = parameters.Count, ["parameters"] = count,
            ["step_ms"] = Math.Round(BenchWorkload.MedianOfSorted(times), 2),
        };
    }
}
