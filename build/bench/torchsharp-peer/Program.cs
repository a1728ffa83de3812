using System.Diagnostics;
using System.Text.Json;
using TorchSharp;
using TorchSharpPeer;
using static TorchSharp.torch;

// usage: torchsharp-peer --arch unet,segnet,fcn8s,deeplabv3plus [--batch 8] [--size 256] [--classes 21] [--warmup 2]
//        [--repeats 5] [--threads N] [--phases train,infer]
// One training step (forward, cross-entropy, backward, Adam) and batched inference (forward + argmax, no grad), median
// of the repeats after warm-up; one JSON line per architecture, the same fields as build/bench/models.py.
var a = new Dictionary<string, string> { ["arch"] = "unet,segnet,fcn8s,deeplabv3plus", ["batch"] = "8", ["size"] = "256", ["classes"] = "21",
    ["warmup"] = "2", ["repeats"] = "5", ["threads"] = Environment.ProcessorCount.ToString(), ["phases"] = "train,infer" };
for (int i = 0; i < args.Length; i += 2)
{
    if (!args[i].StartsWith("--") || !a.ContainsKey(args[i][2..])) { Console.Error.WriteLine($"torchsharp-peer: unknown option '{args[i]}'"); return 2; }
    if (i + 1 == args.Length) { Console.Error.WriteLine($"torchsharp-peer: option '{args[i]}' needs a value"); return 2; }
    a[args[i][2..]] = args[i + 1];
}
int batch = int.Parse(a["batch"]), size = int.Parse(a["size"]), classes = int.Parse(a["classes"]);
int warmup = int.Parse(a["warmup"]), repeats = int.Parse(a["repeats"]);
torch.set_num_threads(int.Parse(a["threads"]));
var phases = a["phases"].Split(',');

foreach (var arch in a["arch"].Split(','))
{
    torch.random.manual_seed(0);
    nn.Module<Tensor, Tensor> model = arch switch
    {
        "unet" => new UNet(classes),
        "segnet" => new SegNet(classes),
        "fcn8s" => new Fcn8s(classes),
        "deeplabv3plus" => new DeepLabV3Plus(classes),
        _ => throw new ArgumentException($"unknown architecture '{arch}'"),
    };
    var x = rand(batch, 3, size, size);
    var y = randint(0, classes, [batch, size, size]);
    var optimizer = optim.Adam(model.parameters(), 1e-4);
    var row = new Dictionary<string, object> { ["framework"] = $"torchsharp {typeof(torch).Assembly.GetName().Version?.ToString(3)}", ["arch"] = arch,
        ["batch"] = batch, ["size"] = size, ["device"] = "cpu" };
    if (phases.Contains("train"))
    {
        Rss.ResetPeak();
        model.train();
        double s = Timed(() =>
        {
            using var scope = NewDisposeScope();
            var loss = nn.functional.cross_entropy(model.call(x), y);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }, warmup, repeats);
        row["train_step_ms"] = Math.Round(s * 1000, 1);
        row["train_images_per_s"] = Math.Round(batch / s, 2);
        row["train_peak_rss_mb"] = Math.Round(Rss.PeakMegabytes(), 1);
    }
    if (phases.Contains("infer"))
    {
        model.eval();
        Rss.ResetPeak();
        double s = Timed(() =>
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            model.call(x).argmax(1);
        }, warmup, repeats);
        row["infer_ms"] = Math.Round(s * 1000, 1);
        row["infer_images_per_s"] = Math.Round(batch / s, 2);
        row["infer_peak_rss_mb"] = Math.Round(Rss.PeakMegabytes(), 1);
    }
    Console.WriteLine(JsonSerializer.Serialize(row));
    optimizer.Dispose();
    model.Dispose();
    x.Dispose();
    y.Dispose();
}
return 0;

static double Timed(Action step, int warmup, int repeats)
{
    for (int i = 0; i < warmup; i++) step();
    var times = new List<double>();
    for (int i = 0; i < repeats; i++)
    {
        var clock = Stopwatch.StartNew();
        step();
        times.Add(clock.Elapsed.TotalSeconds);
    }
    times.Sort();
    return times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
}

internal static class Rss
{
    // Linux: writing 5 to clear_refs resets the peak (VmHWM) to the current RSS.
    internal static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    internal static double PeakMegabytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        return double.NaN;
    }
}
