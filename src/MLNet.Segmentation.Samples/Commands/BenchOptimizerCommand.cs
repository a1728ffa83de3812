using System.Diagnostics;
using System.Text.Json.Nodes;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Samples.Cli;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg bench-optimizer`: the time of one optimizer step (TorchSharp's torch.optim, as the trainer uses it) alone over
/// a bench network's parameters, each given a fixed random gradient; median of the repeats after warm-up. build/bench/optimizer.sh runs it beside torch.optim on the
/// same parameter shapes (build/bench/optimizer.py).
/// </summary>
public sealed class BenchOptimizerCommand : ICommand
{

    /// <inheritdoc />
    public string Name => "bench-optimizer";

    /// <inheritdoc />
    public string Summary => "time of one optimizer step over a bench network's parameters";

    /// <inheritdoc />
    public IReadOnlyList<CommandOption> Options { get; } =
    [
        CommonOptions.BenchArchitectures,
        CommandOption.Valued("--optimizer", "adam|adamw|sgd", "the optimizer [adam]"),
        CommandOption.Valued("--warmup", "N", "untimed steps first [2]"),
        CommandOption.Valued("--repeats", "N", "timed steps; the median is reported [10]"),
        CommonOptions.Classes(21),
        CommandOption.Valued("--width-divisor", "D", "divide every layer's width by D (1..64) [1]"),
        CommandOption.Valued("--device", "cpu|cuda", "where to run [cpu]"),
    ];

    /// <inheritdoc />
    public Task<int> RunAsync(Arguments a, TextWriter output, CancellationToken cancellation)
    {
        var archs = BenchWorkload.ParseArchitectures(a);
        string kind = a.Choice("--optimizer", "adam", "adam", "adamw", "sgd");
        int warmup = a.Int("--warmup", 2, 0, 1000), repeats = a.Int("--repeats", 10, 1, 10_000), classes = a.Int("--classes", 21, 2, 256);
        int widthDivisor = a.Int("--width-divisor", 1, 1, 64);
        var device = BenchWorkload.ParseDevice(a);
        foreach (string arch in archs) output.WriteLine(Measure(arch, kind, warmup, repeats, classes, widthDivisor, device).ToJsonString());
        return Task.FromResult(0);
    }

    private static JsonObject Measure(string arch, string kind, int warmup, int repeats, int classes, int widthDivisor, Device device)
    {
        random.manual_seed(0);
        using var model = ModelCatalog.Create(BenchWorkload.CatalogNames[arch], new ModelBuildSettings(classes, 3, widthDivisor));
        ModuleDevice.MoveTo(model, device);
        var parameters = model.parameters().ToList();
        using var generator = new Generator(0);
        using (no_grad())
        using (var scale = 1e-3.ToScalar())
            foreach (var parameter in parameters)
                parameter.grad = randn(parameter.shape, device: device, generator: device.type == DeviceType.CPU ? generator : null).mul_(scale);
        using optim.Optimizer optimizer = kind switch
        {
            "sgd" => optim.SGD(parameters, 1e-2, momentum: 0.9),
            "adamw" => optim.AdamW(parameters, 1e-4, weight_decay: 0.01),
            _ => optim.Adam(parameters, 1e-4),
        };
        for (int i = 0; i < warmup; i++) Step(optimizer);
        TorchRuntime.Synchronize(device);
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            Step(optimizer);
            TorchRuntime.Synchronize(device);
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        long count = parameters.Sum(p => p.numel());
        return new JsonObject
        {
            ["framework"] = "MLNet.Segmentation", ["arch"] = arch, ["optimizer"] = kind, ["device"] = Devices.Name(device),
            ["width_divisor"] = widthDivisor, ["tensors"] = parameters.Count, ["parameters"] = count,
            ["step_ms"] = Math.Round(BenchWorkload.MedianOfSorted(times), 2),
        };
    }

    // The step's temporaries (TorchSharp's optimizers make a few per parameter) go with a scope of their own.
    private static void Step(optim.Optimizer optimizer)
    {
        using var scope = NewDisposeScope();
        optimizer.step();
    }
}
