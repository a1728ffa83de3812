using System.Text.Json;
using MLNet.Segmentation.Experiments;
using MLNet.Segmentation.Samples;

namespace MLNet.Segmentation.Tests.Experiments;

[TestClass]
public sealed class SweepCommandTests
{
    [TestMethod]
    public async Task SweepOnSyntheticShapesWritesTheTableJsonAndReport()
    {
        string dir = TinySweeps.TempDir("cli-sweep");
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            string[] args = ["sweep", "--synthetic", "--train", "16", "--val", "4", "--size", "32", "--budget", "3trials", "--epochs", "2", "--eta", "2",
                "--fix", "widthDivisor=16,architecture=unet|segnet,batchSize=4", "--normalize", "none", "--workers", "0", "--seed", "3", "--out", dir];
            int exit = await CommandLine.RunAsync(args, output, error);
            Assert.AreEqual(0, exit, error.ToString());
            string text = output.ToString();
            StringAssert.Contains(text, "mlseg sweep: 16 training and 4 validation images (shapes, 4 classes); ASHA, rungs at 1, 2 epochs, eta 2; budget 3trials; seed 3");
            StringAssert.Contains(text, "│ trial │ status ");
            StringAssert.Contains(text, "stopped by trial budget (3 trials), no promotion left");
            StringAssert.Contains(text, $"report:       {Path.Combine(dir, "sweep.html")}");

            var result = JsonSerializer.Deserialize<SweepResult>(File.ReadAllText(Path.Combine(dir, "sweep.json")), SweepJson.Options)!;
            Assert.AreEqual(3, result.Trials.Count);
            Assert.IsTrue(result.Trials.All(t => t.Parameters.WidthDivisor == 16 && t.Parameters.BatchSize == 4 && t.Parameters.Architecture is "unet" or "segnet"));
            var best = result.Trials.Single(t => t.Trial == result.BestTrial);
            StringAssert.Contains(text, $"best: trial {best.Trial}, mIoU {best.Score:F4}");
            StringAssert.Contains(text, $"│    *{best.Trial} │");
            foreach (var t in result.Trials) StringAssert.Contains(text, $"{t.MeanIoU:F4}");
            StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "sweep.html")), "Parameter importance");
            Assert.IsTrue(File.Exists(Path.Combine(dir, "best.mlseg.zip")));
            Assert.AreEqual(TrialLog.Read(Path.Combine(dir, "trials.jsonl")).Count, result.Trials.Sum(t => Math.Max(1, t.RungScores.Count)));

            // The same command again: nothing left to train, the same table.
            var again = new StringWriter();
            Assert.AreEqual(0, await CommandLine.RunAsync(args, again, error));
            Assert.IsFalse(again.ToString().Contains("to epoch"), "no run starts");
            StringAssert.Contains(again.ToString(), $"best: trial {best.Trial}, mIoU {best.Score:F4}");
        }
        finally
        {
            TinySweeps.Remove(dir);
        }
    }

    [TestMethod]
    public async Task CancellingSaysHowToContinueAndTheSpaceFileRunsAgain()
    {
        string dir = TinySweeps.TempDir("cli-cancel");
        try
        {
            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();
            var output = new StringWriter();
            var error = new StringWriter();
            string[] args = ["sweep", "--synthetic", "--train", "8", "--val", "2", "--size", "32", "--budget", "1trials", "--epochs", "1",
                "--fix", "widthDivisor=16,architecture=unet", "--out", dir];
            Assert.AreEqual(130, await CommandLine.RunAsync(args, output, error, cancelled.Token));
            StringAssert.Contains(output.ToString(), $"sweep stopped: 0 runs are in {Path.Combine(dir, "trials.jsonl")}; run the same command again to continue");
            Assert.AreEqual("mlseg sweep: cancelled", error.ToString().Trim());

            // The space the sweep wrote is the one --fix made, and --space reads it back.
            var space = SegmentationSearchSpace.FromJson(File.ReadAllText(Path.Combine(dir, "space.json")));
            Assert.IsTrue(space.Architecture.IsFixed && space.WidthDivisor.Values.SequenceEqual([16]));
            Assert.AreEqual(0, await CommandLine.RunAsync([.. args[..^4], "--space", Path.Combine(dir, "space.json"), "--out", dir], new StringWriter(), error));
            Assert.AreEqual(1, TrialLog.Read(Path.Combine(dir, "trials.jsonl")).Count);
        }
        finally
        {
            TinySweeps.Remove(dir);
        }
    }

    [TestMethod]
    public async Task UsageErrorsAreOneLineWithExitCodeTwo()
    {
        async Task<string> Fails(params string[] args)
        {
            var error = new StringWriter();
            Assert.AreEqual(2, await CommandLine.RunAsync(["sweep", .. args], new StringWriter(), error), string.Join(" ", args));
            string text = error.ToString().Trim();
            Assert.IsFalse(text.Contains('\n'), text);
            return text;
        }
        Assert.AreEqual("mlseg sweep: --budget: budget '30x': expected a time (30m, 2h, 90s, 1h30m), a trial count (20trials), an epoch count (100epochs) " +
                        "or a comma-separated mix (see 'mlseg sweep --help')", await Fails("--synthetic", "--budget", "30x"));
        StringAssert.Contains(await Fails("--synthetic"), "--budget");
        Assert.AreEqual("mlseg sweep: --strategy must be one of random|grid|asha, got 'bayes' (see 'mlseg sweep --help')",
            await Fails("--synthetic", "--budget", "2trials", "--strategy", "bayes"));
        StringAssert.StartsWith(await Fails("--synthetic", "--budget", "2trials", "--fix", "arch=unet"),
            "mlseg sweep: --fix arch=unet: search space: unknown dimension 'arch'; known: architecture, backbone");
        Assert.AreEqual("mlseg sweep: --fix takes NAME=VALUE pairs, got 'unet' (see 'mlseg sweep --help')", await Fails("--synthetic", "--budget", "2trials", "--fix", "unet"));
        Assert.AreEqual("mlseg sweep: --synthetic generates its data; drop --layout (see 'mlseg sweep --help')",
            await Fails("--synthetic", "--layout", "membrane", "--budget", "2trials"));
        Assert.AreEqual("mlseg sweep: --size goes with --synthetic (see 'mlseg sweep --help')", await Fails("--layout", "membrane", "--size", "64", "--budget", "2trials"));
    }
}
