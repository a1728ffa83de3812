using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json.Nodes;
using MLNet.Segmentation.Engine;
using TorchSharp;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>What `mlseg bench` measures, as every side (ours and the peers) is told it.</summary>
internal sealed record BenchSettings(int Batch, int Size, int Classes, int Warmup, int Repeats, torch.Device Device, string Precision,
    (bool Train, bool Infer) Phases, bool CudnnBenchmark, bool FoldBatchNorm = true, bool GradientsToNone = true)
{
    /// <summary>The --phases text of these phases.</summary>
    public string PhasesText => Phases switch { (true, true) => "train,infer", (true, false) => "train", _ => "infer" };

    /// <summary>The peer flags every side shares: --arch --batch --size --classes --warmup --repeats --phases.</summary>
    public IEnumerable<string> CommonArguments(string arch) =>
    [
        "--arch", arch, "--batch", $"{Batch}", "--size", $"{Size}", "--classes", $"{Classes}", "--warmup", $"{Warmup}", "--repeats", $"{Repeats}",
        "--phases", PhasesText,
    ];
}

/// <summary>
/// The peers of `mlseg bench`, each a separate process that prints one JSON line per network: PyTorch
/// (build/bench/models.py), plain TorchSharp (build/bench/torchsharp-peer) and, when given, an older mlseg.
/// Every row they print is tagged with "peer": "pytorch", "torchsharp" or "old-mlseg".
/// </summary>
internal static class BenchPeers
{
    /// <summary>The one line printed instead of the PyTorch rows when the Python has no torch or torchvision.</summary>
    public static string MissingPyTorchNote(string python) =>
        $"PyTorch peer skipped: {python} has no torch/torchvision; add it with `bash build/setup.sh --peers` " +
        "(or `sudo apt-get install python3-torch python3-torchvision`)";

    /// <summary>Whether <paramref name="python"/> starts and imports torch and torchvision.</summary>
    public static bool HasPyTorch(string python)
    {
        var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-c", "import torch, torchvision" }) info.ArgumentList.Add(arg);
        try
        {
            using var process = Process.Start(info);
            if (process is null) return false;
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (Win32Exception)
        {
            return false; // no such program
        }
    }

    /// <summary>build/bench/models.py on one network, with our thread count, device and precision.</summary>
    public static List<JsonObject> PyTorch(string python, string script, string arch, BenchSettings s)
    {
        var args = new List<string> { script };
        args.AddRange(s.CommonArguments(arch));
        args.AddRange(["--threads", $"{TorchRuntime.Threads}", "--device", s.Device.type == DeviceType.CUDA ? "cuda" : "cpu",
            "--amp", s.Precision == "fp32" ? "none" : s.Precision]);
        if (s.CudnnBenchmark) args.Add("--cudnn-benchmark");
        return Run($"the PyTorch benchmark on {arch}", "pytorch", python, args);
    }

    /// <summary>The plain-TorchSharp peer on one network (CPU, float32: it has no device or precision flags).</summary>
    public static List<JsonObject> TorchSharp(string peerDll, string arch, BenchSettings s) =>
        Run($"the TorchSharp peer on {arch}", "torchsharp", DotnetHost(), [peerDll, .. s.CommonArguments(arch), "--threads", $"{TorchRuntime.Threads}"]);

    /// <summary>
    /// An older mlseg (the previous engine's CLI: an apphost, or a .dll run by dotnet) on one network, without its own
    /// PyTorch peer; it reads its thread count from MLSEG_NUM_THREADS.
    /// </summary>
    public static List<JsonObject> OldMlseg(string path, string arch, BenchSettings s)
    {
        bool dll = path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var args = new List<string>();
        if (dll) args.Add(path);
        args.Add("bench");
        args.AddRange(s.CommonArguments(arch));
        args.AddRange(["--device", s.Device.type == DeviceType.CUDA ? "cuda" : "cpu", "--precision", s.Precision, "--no-peer", "--json"]);
        if (s.CudnnBenchmark) args.Add("--cudnn-benchmark");
        return Run($"the old mlseg ({path}) on {arch}", "old-mlseg", dll ? DotnetHost() : path, args,
            new Dictionary<string, string> { [TorchRuntime.ThreadsVariable] = $"{TorchRuntime.Threads}" });
    }

    /// <summary>build/bench/models.py of the repository mlseg runs from (working folder or install folder upwards).</summary>
    public static string FindScript() => RepositoryPath(Path.Combine("build", "bench", "models.py"), File.Exists)
        ?? throw new FileNotFoundException("build/bench/models.py not found: run from the repository or pass --script, or --no-peer");

    /// <summary>
    /// The TorchSharp peer's Release dll, built first (`dotnet build build/bench/torchsharp-peer -c Release`) when the
    /// project is there but the dll is not.
    /// </summary>
    public static string TorchSharpPeerDll()
    {
        string project = RepositoryPath(Path.Combine("build", "bench", "torchsharp-peer"), Directory.Exists)
            ?? throw new DirectoryNotFoundException("build/bench/torchsharp-peer not found: run from the repository or pass --no-peer");
        string dll = Path.Combine(project, "bin", "Release", "net10.0", "torchsharp-peer.dll");
        if (File.Exists(dll)) return dll;
        var info = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "build", project, "-c", "Release", "-nologo", "-v", "quiet" }) info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 || !File.Exists(dll))
            throw new InvalidOperationException($"building the TorchSharp peer ({project}) failed with exit code {process.ExitCode}: " +
                                                LastLine(stdout + "\n" + stderr.Result));
        return dll;
    }

    private static List<JsonObject> Run(string what, string role, string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in arguments) info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"could not start {what} ({fileName}): {e.Message}", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var rows = new List<JsonObject>();
            while (process.StandardOutput.ReadLine() is { } line)
            {
                if (!line.StartsWith('{')) continue;
                var row = JsonNode.Parse(line)!.AsObject();
                row["peer"] = role;
                rows.Add(row);
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                string last = LastLine(stderr.Result);
                throw new BenchPeerFailure($"{what} failed with exit code {process.ExitCode}{Signal(process.ExitCode)}" +
                                           (last.Length > 0 ? $": {last}" : ""));
            }
            return rows;
        }
    }

    /// <summary>The dotnet host running this process (when mlseg runs as `dotnet mlseg.dll`), else "dotnet" on the PATH.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";

    private static string? RepositoryPath(string relative, Func<string, bool> exists)
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                string candidate = Path.Combine(folder.FullName, relative);
                if (exists(candidate)) return candidate;
            }
        return null;
    }

    // A process killed by signal N exits with 128 + N.
    private static string Signal(int exitCode) => exitCode switch
    {
        134 => " (SIGABRT)", 136 => " (SIGFPE)", 137 => " (SIGKILL)", 139 => " (SIGSEGV)",
        _ => "",
    };

    private static string LastLine(string text) => text.Trim().Split('\n').LastOrDefault()?.Trim() ?? "";
}

/// <summary>A peer ran but failed on a network (its rows are left out; the others still count).</summary>
internal sealed class BenchPeerFailure(string message) : Exception(message);
