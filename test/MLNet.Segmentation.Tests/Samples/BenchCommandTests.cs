using System.Text.Json.Nodes;
using MLNet.Segmentation.Samples;
using MLNet.Segmentation.Samples.Cli;
using MLNet.Segmentation.Samples.Commands;

namespace MLNet.Segmentation.Tests.Samples;

/// <summary>`mlseg bench` beside its peers: the plain-TorchSharp peer, a Python without torch, and an older mlseg.</summary>
[TestClass]
public sealed class BenchCommandTests
{
    private static readonly string[] Tiny =
        ["bench", "--arch", "unet", "--batch", "1", "--size", "32", "--classes", "3", "--warmup", "0", "--repeats", "1", "--phases", "infer"];

    [TestMethod]
    public async Task WithoutPyTorchOneLineSaysHowToAddItAndTheTorchSharpPeerStillRuns()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CommandLine.RunAsync([.. Tiny, "--python", "/nonexistent/python3"], output, error);
        Assert.AreEqual(0, code, error.ToString());
        var lines = output.ToString().Split('\n');
        var notes = lines.Where(l => l.Contains("PyTorch", StringComparison.Ordinal)).ToArray();
        Assert.HasCount(1, notes, output.ToString());
        StringAssert.StartsWith(notes[0], "mlseg bench: PyTorch peer skipped: /nonexistent/python3 has no torch/torchvision");
        StringAssert.Contains(notes[0], "bash build/setup.sh --peers");
        StringAssert.Contains(notes[0], "apt-get install python3-torch python3-torchvision");

        // Our row, then the TorchSharp peer's with the ratios ours/peer.
        var ours = lines.Single(l => l.Contains("│ unet ", StringComparison.Ordinal));
        StringAssert.Contains(ours, "│ ours ");
        var peer = lines.Single(l => l.Contains("torchsharp 0.107", StringComparison.Ordinal));
        var cells = peer.Split('│', StringSplitOptions.TrimEntries);
        double ourInfer = double.Parse(ours.Split('│', StringSplitOptions.TrimEntries)[5], System.Globalization.CultureInfo.InvariantCulture);
        double peerInfer = double.Parse(cells[5], System.Globalization.CultureInfo.InvariantCulture);
        Assert.AreEqual(ourInfer / peerInfer, double.Parse(cells[10], System.Globalization.CultureInfo.InvariantCulture), 0.01 + 0.06 * ourInfer / peerInfer,
            "infer ms ours/peer, from the rounded figures");
        Assert.AreEqual("-", cells[9], "--phases infer: no training ratio");
    }

    [TestMethod]
    public async Task AnOlderMlsegRunsWithTheSameSettingsAndOnlyItsOwnRowsCount()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Inconclusive("the stand-in old mlseg is a POSIX shell script");
            return;
        }
        string dir = Path.Combine(Path.GetTempPath(), "mlseg-old-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            // A stand-in for the previous engine's CLI: records its arguments and thread setting, prints its row and a peer's.
            string script = Path.Combine(dir, "old-mlseg");
            File.WriteAllText(script, $$"""
                #!/bin/sh
                echo "$@" > {{dir}}/args.txt
                echo "$MLSEG_NUM_THREADS" > {{dir}}/threads.txt
                echo 'bench (old): one line of text'
                echo '{"framework": "mlnet-segmentation (libtorch 1.13.0)", "arch": "unet", "infer_ms": 2.5, "infer_images_per_s": 400}'
                echo '{"framework": "pytorch 1.13.0", "arch": "unet", "infer_ms": 5.0}'
                """.ReplaceLineEndings("\n"));
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            var output = new StringWriter();
            var error = new StringWriter();
            int code = await CommandLine.RunAsync([.. Tiny, "--no-peer", "--json", "--old-mlseg", script], output, error);
            Assert.AreEqual(0, code, error.ToString());
            var rows = output.ToString().Trim().Split('\n').Select(l => JsonNode.Parse(l)!.AsObject()).ToArray();
            Assert.HasCount(2, rows);
            Assert.AreEqual("ours", rows[0]["peer"]!.GetValue<string>());
            Assert.AreEqual("old-mlseg", rows[1]["peer"]!.GetValue<string>());
            Assert.AreEqual(2.5, rows[1]["infer_ms"]!.GetValue<double>());
            Assert.AreEqual("bench --arch unet --batch 1 --size 32 --classes 3 --warmup 0 --repeats 1 --phases infer --device cpu --precision fp32 --no-peer --json",
                File.ReadAllText(Path.Combine(dir, "args.txt")).Trim());
            Assert.AreEqual($"{MLNet.Segmentation.Engine.TorchRuntime.Threads}", File.ReadAllText(Path.Combine(dir, "threads.txt")).Trim());

            // One that crashes (as libtorch's oneDNN did, of SIGFPE) costs its row only, with a line saying so.
            string crashing = Path.Combine(dir, "crashing-mlseg");
            File.WriteAllText(crashing, "#!/bin/sh\necho 'Floating point exception' >&2\nexit 136\n");
            File.SetUnixFileMode(crashing, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var table = new StringWriter();
            Assert.AreEqual(0, await CommandLine.RunAsync([.. Tiny, "--no-peer", "--old-mlseg", crashing], table, error), error.ToString());
            var note = table.ToString().Split('\n').Single(l => l.Contains("failed", StringComparison.Ordinal));
            Assert.AreEqual($"mlseg bench: the old mlseg ({crashing}) on unet failed with exit code 136 (SIGFPE): Floating point exception; its row is left out",
                note.TrimEnd());
            StringAssert.Contains(table.ToString(), "│ ours ");

            var missing = new StringWriter();
            Assert.AreEqual(1, await CommandLine.RunAsync([.. Tiny, "--no-peer", "--old-mlseg", Path.Combine(dir, "nope")], new StringWriter(), missing));
            StringAssert.Contains(missing.ToString(), "--old-mlseg");
            Assert.AreEqual(1, missing.ToString().Trim().Split('\n').Length, missing.ToString());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void TheTableGivesEachPeerTheRatiosOursOverThatPeer()
    {
        JsonObject Row(string peer, string framework, double trainMs, double inferMs, double rss) => new()
        {
            ["peer"] = peer, ["framework"] = framework, ["arch"] = "segnet", ["train_step_ms"] = trainMs, ["train_images_per_s"] = 8000 / trainMs,
            ["infer_ms"] = inferMs, ["infer_images_per_s"] = 8000 / inferMs, ["train_peak_rss_mb"] = rss, ["infer_peak_rss_mb"] = rss / 2,
        };
        JsonObject[] rows =
        [
            Row("ours", "mlnet-segmentation", 100, 30, 900), Row("torchsharp", "torchsharp 0.107.0", 125, 20, 1000),
            Row("pytorch", "pytorch 2.4.0", 200, 60, 600), Row("old-mlseg", "mlnet-segmentation (libtorch 1.13.0)", 50, 30, 450),
        ];
        var text = new StringWriter();
        new Terminal(text).Console.Write(BenchTable.Build(rows));
        var lines = text.ToString().Split('\n');
        string[] Cells(string label) => lines.Single(l => l.Contains(label, StringComparison.Ordinal)).Split('│', StringSplitOptions.TrimEntries)[9..12];
        CollectionAssert.AreEqual(new[] { "0.50", "0.50", "1.50" }, Cells("pytorch 2.4.0"));
        CollectionAssert.AreEqual(new[] { "0.80", "1.50", "0.90" }, Cells("torchsharp 0.107.0"));
        CollectionAssert.AreEqual(new[] { "2.00", "1.00", "2.00" }, Cells("old mlseg (libtorch 1.13.0)"));
        CollectionAssert.AreEqual(new[] { "", "", "" }, Cells("│ ours "));
        // Peers in a fixed order under our row: PyTorch, TorchSharp, the old mlseg.
        var order = new[] { "│ ours ", "pytorch", "torchsharp", "old mlseg" }.Select(label => Array.FindIndex(lines, l => l.Contains(label, StringComparison.Ordinal))).ToArray();
        CollectionAssert.AreEqual(order.Order().ToArray(), order);
        Assert.AreEqual("-", BenchTable.Ratio(rows[0], new JsonObject(), "infer_ms"));
    }

    [TestMethod]
    public void DeepLabV3PlusTrainsAtBatchTwoInAFreshProcess()
    {
        // ResNet-50's stride-2 1x1 downsampling made libtorch 2.10's oneDNN divide by zero in the backward pass (the
        // process died of SIGFPE, in plain TorchSharp too): run our training step where a crash fails only this test.
        string mlseg = Path.Combine(AppContext.BaseDirectory, "mlseg.dll");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new System.Diagnostics.ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "exec", mlseg, "bench", "--arch", "deeplabv3plus", "--batch", "2", "--size", "32", "--warmup", "0", "--repeats", "1",
                     "--phases", "train", "--no-peer", "--json" })
            start.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(TimeSpan.FromMinutes(5)), "the training step did not finish in 5 minutes");
        Assert.AreEqual(0, process.ExitCode, $"exit code {process.ExitCode} (136: SIGFPE): {error.Result}");
        var row = JsonNode.Parse(output.Trim())!.AsObject();
        Assert.AreEqual("deeplabv3plus", row["arch"]!.GetValue<string>());
        Assert.IsTrue(row["train_step_ms"]!.GetValue<double>() > 0);
    }
}
