using System.Text.Json;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Experiments;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Losses;
using MLNet.Segmentation.Tests.Training;
using MLNet.Segmentation.Training;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Experiments;

/// <summary>Seeded ASHA sweeps on the tiny synthetic shapes: early stopping, the best trial, reproducibility and resuming.</summary>
[TestClass]
public sealed class SweepTests
{
    private static string _referenceDir = "";
    private static SweepResult _reference = null!;
    private static IReadOnlyList<TrialLogEntry> _referenceLog = [];

    [ClassInitialize]
    public static void RunReference(TestContext _)
    {
        _referenceDir = TinySweeps.TempDir("sweep-ref");
        _reference = new SegmentationSweep(TinySweeps.Train, TinySweeps.Validation, TinySweeps.Options(_referenceDir)).Run();
        _referenceLog = TrialLog.Read(_reference.LogPath);
    }

    [ClassCleanup]
    public static void Remove() => TinySweeps.Remove(_referenceDir);

    [TestMethod]
    public void AshaStopsTrialsEarlyAndKeepsTheBestTrialsModel()
    {
        var rungs = SuccessiveHalving.Rungs(1, 4, 2);
        Assert.AreEqual(4, _reference.Trials.Count);
        Assert.AreEqual("trial budget (4 trials), no promotion left", _reference.StopReason);
        Assert.IsFalse(_reference.Trials.Any(t => t.Status == TrialStatus.Failed), string.Join("; ", _reference.Trials.Select(t => t.Error)));
        Assert.IsTrue(_reference.Trials.Count(t => t.Status == TrialStatus.StoppedEarly) >= 1);
        var completed = _reference.Trials.Where(t => t.Status == TrialStatus.Completed).ToArray();
        // 4 trials, eta 2: rung 0 lets 2 go on once all 4 finished (1 while 2 or 3 had: up to 3 reach rung 1, asynchronously),
        // and rung 1, with 2 or 3 finished, 1.
        Assert.AreEqual(1, completed.Length);
        Assert.AreEqual(4, completed[0].Epochs);
        Assert.IsTrue(_reference.Trials.Count(t => t.RungScores.Count >= 2) is 2 or 3);
        Assert.AreEqual(_referenceLog.Count, _reference.Trials.Sum(t => t.RungScores.Count));

        // Every run is the job ASHA's rule picks from the log before it.
        for (int i = 0; i < _referenceLog.Count; i++)
        {
            var before = _referenceLog.Take(i).ToArray();
            var finished = rungs.Select((_, k) => (IReadOnlyList<RungScore>)before.Where(e => e.Rung == k).Select(e => new RungScore(e.Trial, e.Score!.Value)).ToArray()).ToArray();
            var started = rungs.Select((_, k) => (IReadOnlySet<int>)before.Where(e => e.Rung == k).Select(e => e.Trial).ToHashSet()).ToArray();
            var expected = SuccessiveHalving.NextPromotion(finished, started, 2) ?? (before.Select(e => e.Trial).Distinct().Count() + 1, 0);
            Assert.AreEqual(expected, (_referenceLog[i].Trial, _referenceLog[i].Rung!.Value), $"run {i + 1}");
            Assert.AreEqual(rungs[_referenceLog[i].Rung!.Value], _referenceLog[i].Epochs);
            Assert.AreEqual(SegmentationSweep.SampleTrial(TinySweeps.Space(), 11, _referenceLog[i].Trial), _referenceLog[i].Parameters);
        }

        // The best trial has the highest score of the whole log; its model file holds the weights that scored it.
        double highest = _referenceLog.Max(e => e.Score!.Value);
        var best = _reference.Best!;
        Assert.AreEqual(highest, best.Score);
        Assert.AreEqual(_reference.Trials.Max(t => t.Score), best.Score);
        Assert.AreEqual(best.History.Single(h => h.Epoch == best.BestEpoch).ValidationMeanIoU, best.MeanIoU);
        using (var loaded = _reference.LoadBestModel())
        {
            CollectionAssert.AreEqual(new[] { "background", "circle", "rectangle", "triangle" }, loaded.Manifest.ClassNames.ToArray());
            Assert.AreEqual(best.Parameters.CatalogName.Split('-')[0], loaded.Manifest.Architecture.Split('-')[0]);
            using var loss = new CrossEntropyLoss();
            var metrics = new SegmentationTrainer(loaded.Model, loss, new TrainerOptions { NumClasses = 4, Device = CPU })
                .Evaluate(new DataLoader(TinySweeps.Validation, new DataLoaderOptions { BatchSize = 1, Shuffle = false, Workers = 0 }));
            Assert.AreEqual(best.MeanIoU!.Value, metrics.MeanIoU, 1e-12, "the saved model scores what its trial logged");
        }

        // Files: results JSON, the report, no checkpoints left (each trial keeps its best weights).
        var json = JsonDocument.Parse(File.ReadAllText(_reference.JsonPath)).RootElement;
        Assert.AreEqual(best.Trial, json.GetProperty("bestTrial").GetInt32());
        Assert.AreEqual("asha", json.GetProperty("strategy").GetString());
        Assert.AreEqual("4trials", json.GetProperty("budget").GetString());
        Assert.AreEqual(4, json.GetProperty("trials").GetArrayLength());
        string html = File.ReadAllText(_reference.ReportPath);
        foreach (string part in new[] { "Validation mIoU per epoch, every trial", "mIoU against learning rate", "Parameter importance", "stopped early (ASHA)" })
            StringAssert.Contains(html, part);
        var charts = System.Text.RegularExpressions.Regex.Matches(html, "<svg.*?</svg>").Select(m => m.Value).ToArray();
        Assert.IsTrue(charts.Length >= 5, $"{charts.Length} charts");
        foreach (string chart in charts) System.Xml.Linq.XElement.Parse(chart);
        Assert.AreEqual(0, Directory.GetFiles(Path.Combine(_referenceDir, "trials"), "checkpoint.safetensors", SearchOption.AllDirectories).Length);
        Assert.AreEqual(4, Directory.GetFiles(Path.Combine(_referenceDir, "trials"), "best.safetensors", SearchOption.AllDirectories).Length);
    }

    [TestMethod]
    public void TheSameSeedGivesTheSameTable()
    {
        string dir = TinySweeps.TempDir("sweep-again");
        try
        {
            var again = new SegmentationSweep(TinySweeps.Train, TinySweeps.Validation, TinySweeps.Options(dir)).Run();
            CollectionAssert.AreEqual(TinySweeps.Table(_reference), TinySweeps.Table(again));
            CollectionAssert.AreEqual(TinySweeps.WithoutTimes(_referenceLog), TinySweeps.WithoutTimes(TrialLog.Read(again.LogPath)));
        }
        finally
        {
            TinySweeps.Remove(dir);
        }
    }

    [TestMethod]
    public void ACancelledSweepContinuesWithoutRepeatingFinishedRuns()
    {
        string dir = TinySweeps.TempDir("sweep-resume");
        try
        {
            // Cancel in the middle of the first run that trains more than one epoch (the promotion to 4 epochs).
            using var cancellation = new CancellationTokenSource();
            int finishedBefore = 0;
            (int, int?)? interrupted = null;
            var first = TinySweeps.Options(dir);
            first.Progress = new SynchronousProgress<SweepProgress>(p =>
            {
                if (p.Kind == SweepProgressKind.RunFinished) finishedBefore++;
                if (p is { Kind: SweepProgressKind.Epoch, Training: { } t } && t.Epoch < p.TargetEpochs && interrupted is null)
                {
                    interrupted = (p.Trial, p.Rung);
                    cancellation.Cancel();
                }
            });
            Assert.ThrowsExactly<OperationCanceledException>(() =>
                new SegmentationSweep(TinySweeps.Train, TinySweeps.Validation, first).Run(cancellation.Token));
            Assert.IsNotNull(interrupted);
            var partial = TrialLog.Read(Path.Combine(dir, "trials.jsonl"));
            Assert.AreEqual(finishedBefore, partial.Count);
            CollectionAssert.AreEqual(TinySweeps.WithoutTimes(_referenceLog.Take(finishedBefore)), TinySweeps.WithoutTimes(partial));
            Assert.IsTrue(File.Exists(Path.Combine(dir, "trials", interrupted.Value.Item1.ToString("D4"), "checkpoint.safetensors")),
                "the interrupted run keeps its checkpoint");

            // The rerun starts with the interrupted run and trains each remaining run once.
            var started = new List<(int, int?)>();
            var second = TinySweeps.Options(dir);
            second.Progress = new SynchronousProgress<SweepProgress>(p =>
            {
                if (p.Kind == SweepProgressKind.RunStarted) started.Add((p.Trial, p.Rung));
            });
            var resumed = new SegmentationSweep(TinySweeps.Train, TinySweeps.Validation, second).Run();
            Assert.AreEqual(_referenceLog.Count - finishedBefore, started.Count);
            Assert.AreEqual(interrupted, started[0]);
            CollectionAssert.AreEqual(_referenceLog.Skip(finishedBefore).Select(e => (e.Trial, e.Rung)).ToArray(), started.ToArray());
            CollectionAssert.AreEqual(TinySweeps.WithoutTimes(_referenceLog), TinySweeps.WithoutTimes(TrialLog.Read(resumed.LogPath)));
            CollectionAssert.AreEqual(TinySweeps.Table(_reference), TinySweeps.Table(resumed));

            // A finished sweep run again trains nothing; other settings are refused, naming the first difference.
            started.Clear();
            new SegmentationSweep(TinySweeps.Train, TinySweeps.Validation, second).Run();
            Assert.AreEqual(0, started.Count);
            var otherSeed = TinySweeps.Options(dir);
            otherSeed.Seed = 12;
            StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() =>
                new SegmentationSweep(TinySweeps.Train, TinySweeps.Validation, otherSeed).Run()).Message, "holds a sweep with other settings (seed: 11 there, 12 now)");
        }
        finally
        {
            TinySweeps.Remove(dir);
        }
    }
}
