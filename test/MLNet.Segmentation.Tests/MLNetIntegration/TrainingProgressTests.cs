using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.MLNetIntegration;
using MLNet.Segmentation.Training;

namespace MLNet.Segmentation.Tests.MLNetIntegration;

/// <summary>Progress and control (issue #19, point 7): per-step lines in MLContext.Log, IProgress, cancellation, GpuDeviceId.</summary>
[TestClass]
public sealed class TrainingProgressTests
{
    private static ShapesOnDisk _shapes = null!;

    [ClassInitialize]
    public static void Write(TestContext _) => _shapes = new ShapesOnDisk(6, 32, 32, seed: 41);

    [ClassCleanup]
    public static void Remove() => _shapes.Dispose();

    /// <summary>Records events; cancels a token after a number of steps.</summary>
    private sealed class Recorder(CancellationTokenSource? cancel = null, int cancelAfter = int.MaxValue) : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Events { get; } = [];

        public void Report(TrainingProgress value)
        {
            Events.Add(value);
            if (Events.Count(e => e.Kind == ProgressKind.Step) == cancelAfter) cancel?.Cancel();
        }
    }

    private static SegmentationTrainerOptions Options(IProgress<TrainingProgress> progress, int epochs, CancellationToken token = default) => new()
    {
        ImageColumnName = "ImagePath", LabelColumnName = "MaskPath", NumberOfClasses = 4, WidthDivisor = 8, NumberOfEpochs = epochs, BatchSize = 2,
        MaskEncoding = MaskEncoding.ClassIds, Progress = progress, CancellationToken = token,
    };

    [TestMethod]
    public void EveryStepReachesTheLogAndTheProgressCallbackWithLossAndImagesPerSecond()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<LoggingEventArgs>();
        ml.Log += (_, e) => { lock (log) log.Add(e); };
        var recorder = new Recorder();
        var data = ml.Data.LoadFromEnumerable(_shapes.Rows);
        ml.Segmentation().Trainers.UNet(Options(recorder, epochs: 2)).Fit(data);

        // 6 images in batches of 2: 3 steps per epoch.
        var steps = recorder.Events.Where(e => e.Kind == ProgressKind.Step).ToArray();
        Assert.AreEqual(6, steps.Length);
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 1, 2, 3 }, steps.Select(s => s.Step).ToArray());
        Assert.IsTrue(steps.All(s => double.IsFinite(s.Loss) && s.ImagesPerSecond > 0));
        Assert.AreEqual(2, recorder.Events.Count(e => e.Kind == ProgressKind.EpochEnd));

        string[] traces;
        lock (log) traces = log.Where(e => e.Kind == ChannelMessageKind.Trace).Select(e => e.RawMessage).ToArray();
        var stepLines = traces.Where(m => m.Contains(", step ")).ToArray();
        Assert.AreEqual(6, stepLines.Length, string.Join(" | ", traces));
        StringAssert.Matches(stepLines[4], new System.Text.RegularExpressions.Regex(
            @"^epoch 2/2, step 2/3: loss \d+\.\d{4}, lr [\d.e-]+, \d+\.\d images/s$"));
        StringAssert.Contains(stepLines[4], FormattableString.Invariant($"loss {steps[4].Loss:F4}"));
        string[] infos;
        lock (log) infos = log.Where(e => e.Kind == ChannelMessageKind.Info && e.RawMessage.StartsWith("epoch ", StringComparison.Ordinal)).Select(e => e.RawMessage).ToArray();
        Assert.AreEqual(2, infos.Length);
        StringAssert.Contains(infos[1], "images/s");
    }

    [TestMethod]
    public void ACancellationTokenStopsFitAtTheNextStep()
    {
        var ml = new MLContext(seed: 1);
        using var cancel = new CancellationTokenSource();
        var recorder = new Recorder(cancel, cancelAfter: 2);
        var data = ml.Data.LoadFromEnumerable(_shapes.Rows);
        Assert.Throws<OperationCanceledException>(() => ml.Segmentation().Trainers.UNet(Options(recorder, epochs: 50, cancel.Token)).Fit(data), "");
        Assert.AreEqual(2, recorder.Events.Count(e => e.Kind == ProgressKind.Step), "no step after the cancellation");

        // Cancelled before Fit: nothing is read or trained.
        var none = new Recorder();
        Assert.Throws<OperationCanceledException>(() => ml.Segmentation().Trainers.UNet(Options(none, epochs: 1, cancel.Token)).Fit(data), "");
        Assert.AreEqual(0, none.Events.Count);
    }

    [TestMethod]
    public void GpuDeviceIdIsHonouredByIndex()
    {
        if (TorchRuntime.CudaIsAvailable) Assert.Inconclusive("checks the no-CUDA messages; CUDA is available here");
        var data = new MLContext().Data.LoadFromEnumerable(_shapes.Rows);
        var ml = new MLContext(seed: 1) { GpuDeviceId = 3, FallbackToCpu = false };
        var e = Assert.Throws<InvalidOperationException>(() => ml.Segmentation().Trainers.UNet(Options(new Recorder(), epochs: 1)).Fit(data));
        StringAssert.Contains(e.Message, "GPU device 3 was asked for (MLContext.GpuDeviceId)");
        var fallback = new MLContext(seed: 1) { GpuDeviceId = 3, FallbackToCpu = true };
        var model = fallback.Segmentation().Trainers.UNet(Options(new Recorder(), epochs: 1)).Fit(data);
        Assert.AreEqual("cpu", Devices.Name(model.Device));
    }
}
