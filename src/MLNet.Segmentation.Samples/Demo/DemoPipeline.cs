using System.Globalization;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Data.Transforms;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Losses;
using MLNet.Segmentation.Metrics;
using MLNet.Segmentation.Metrics.Distance;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Reports;
using MLNet.Segmentation.Training;

namespace MLNet.Segmentation.Samples.Demo;

/// <summary>
/// The main job: generate the synthetic shapes dataset, train a small U-Net on it, evaluate it, and write the model
/// file, colourized predictions, overlays and a self-contained report.html.
/// </summary>
public sealed class DemoPipeline(DemoSettings settings, TextWriter output)
{
    private static readonly DatasetDescription Description = DatasetDescription.SyntheticShapes;

    /// <summary>Runs the demo and returns the path of the report.</summary>
    public string Run(CancellationToken cancellationToken = default)
    {
        string outDir = Path.GetFullPath(settings.OutputDirectory);
        Directory.CreateDirectory(outDir);
        int classes = Description.NumClasses;
        output.WriteLine($"mlseg demo: {settings.TrainImages} training and {settings.ValidationImages} validation images of " +
                         $"{settings.ImageSize}x{settings.ImageSize} ({string.Join(", ", Description.ClassNames)}), libtorch {LibTorch.Version}, {LibTorch.Threads} threads");

        var train = new SyntheticShapesDataset(settings.TrainImages, settings.ImageSize, settings.ImageSize, settings.Seed);
        var validation = new SyntheticShapesDataset(settings.ValidationImages, settings.ImageSize, settings.ImageSize, settings.Seed + 1000);
        var trainLoader = new DataLoader(train, new DataLoaderOptions
        {
            BatchSize = 8, Shuffle = true, Seed = (ulong)settings.Seed, DropLast = true, Workers = 1,
            Transform = new Compose(new RandomHorizontalFlip(), new RandomVerticalFlip()),
        });
        var validationLoader = new DataLoader(validation, new DataLoaderOptions { BatchSize = 8, Shuffle = false, Workers = 1 });

        using var generator = new Generator((ulong)settings.Seed);
        using var model = new UNet(classes, new UNetOptions { Depth = 3, BaseWidth = settings.BaseWidth }, generator);
        var loss = new WeightedSumLoss((1.0, new CrossEntropyLoss()), (1.0, new DiceLoss()));
        var trainer = new SegmentationTrainer(model, loss, new TrainerOptions
        {
            NumClasses = classes, Epochs = settings.Epochs, Optimizer = OptimizerKind.AdamW, LearningRate = 3e-3, WeightDecay = 1e-4,
            Schedule = ScheduleKind.Cosine, WarmupSteps = 10, Device = Device.Cpu, Seed = (ulong)settings.Seed,
            CheckpointDirectory = Path.Combine(outDir, "checkpoints"),
        });
        output.WriteLine($"model: U-Net (depth 3, base width {settings.BaseWidth}), {model.ParameterCount:N0} parameters; loss: cross-entropy + Dice; AdamW, cosine schedule");

        var progress = new LineProgress(output);
        var result = trainer.Fit(trainLoader, validationLoader, progress, cancellationToken: cancellationToken);
        output.WriteLine($"best validation mIoU {result.BestValidationMeanIoU:F3} at epoch {result.BestEpoch}");

        string modelPath = Path.Combine(outDir, "model.mlseg.zip");
        SegmentationModelFile.Save(modelPath, model, new ModelManifest
        {
            Architecture = "", Options = default, NumClasses = classes, InChannels = 3,
            ClassNames = Description.ClassNames, ClassColors = Description.Colors.Select(MaskVisualizer.Hex).ToArray(),
            TileSize = [settings.ImageSize, settings.ImageSize],
        });

        var (metrics, hd95, samples) = Evaluate(model, validation, outDir);
        string reportPath = Path.Combine(outDir, "report.html");
        var report = BuildReport(result, metrics, hd95, samples);
        ImageEncoder.WriteAtomically(reportPath, System.Text.Encoding.UTF8.GetBytes(report.Render()));

        output.WriteLine(MetricsTable.Format(metrics, classNames: Description.ClassNames));
        output.WriteLine($"validation: pixel accuracy {metrics.PixelAccuracy:F3}, mIoU {metrics.MeanIoU:F3}, mean Dice {metrics.MeanDice:F3}");
        output.WriteLine($"model file:   {modelPath}");
        output.WriteLine($"predictions:  {Path.Combine(outDir, "predictions")}");
        output.WriteLine($"overlays:     {Path.Combine(outDir, "overlays")}");
        output.WriteLine($"report:       {reportPath}");
        return reportPath;
    }

    private (SegmentationMetrics Metrics, double[] Hd95, List<ReportSample> Samples) Evaluate(UNet model, SyntheticShapesDataset data, string outDir)
    {
        int classes = Description.NumClasses;
        string predictions = Path.Combine(outDir, "predictions"), overlays = Path.Combine(outDir, "overlays");
        Directory.CreateDirectory(predictions);
        Directory.CreateDirectory(overlays);
        using var matrix = new ConfusionMatrix(classes);
        var hdSums = new double[classes];
        var hdCounts = new int[classes];
        var samples = new List<ReportSample>();
        model.Eval();
        for (int i = 0; i < data.Count; i++)
        {
            using var scope = DisposeScope.Enter();
            using var sample = data.Get(i);
            var predicted = model.Predict(sample.Image.Unsqueeze(0)).Select(0, 0);
            matrix.Update(predicted, sample.Mask);
            var p = predicted.To(DType.UInt8).ToArray<byte>();
            var t = sample.Mask.To(DType.UInt8).ToArray<byte>();
            var perClass = HausdorffDistance.PerClass(p, t, (int)sample.Mask.Size(0), (int)sample.Mask.Size(1), classes);
            for (int c = 0; c < classes; c++)
                if (double.IsFinite(perClass[c].Percentile95)) { hdSums[c] += perClass[c].Percentile95; hdCounts[c]++; }
            if (i < settings.Samples)
            {
                var predictionImage = ImageEncoder.MaskImage(predicted, Description.Colors);
                var overlayImage = MaskVisualizer.Overlay(sample.Image, predicted, Description.Colors);
                ImageEncoder.WritePng(Path.Combine(predictions, $"{sample.Name}.png"), predictionImage);
                ImageEncoder.WritePng(Path.Combine(overlays, $"{sample.Name}.png"), overlayImage);
                samples.Add(new ReportSample(sample.Name, ImageEncoder.EncodePng(Image.FromTensor(sample.Image)),
                    ImageEncoder.EncodePng(ImageEncoder.MaskImage(sample.Mask, Description.Colors)),
                    ImageEncoder.EncodePng(predictionImage), ImageEncoder.EncodePng(overlayImage)));
            }
        }
        var hd95 = hdSums.Select((s, c) => hdCounts[c] > 0 ? s / hdCounts[c] : double.NaN).ToArray();
        return (matrix.ComputeMetrics(), hd95, samples);
    }

    private HtmlReport BuildReport(TrainingResult result, SegmentationMetrics metrics, double[] hd95, List<ReportSample> samples)
    {
        var epochs = result.History;
        return new HtmlReport
        {
            Title = "MLNet.Segmentation demo: U-Net on synthetic shapes",
            Notes = $"Generated by `mlseg demo` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {settings.TrainImages} training / " +
                    $"{settings.ValidationImages} validation images of {settings.ImageSize}x{settings.ImageSize}, {settings.Epochs} epochs on the CPU.",
            Summary =
            [
                ("validation pixel accuracy", metrics.PixelAccuracy.ToString("F3", CultureInfo.InvariantCulture)),
                ("validation mIoU", metrics.MeanIoU.ToString("F3", CultureInfo.InvariantCulture)),
                ("validation mean Dice", metrics.MeanDice.ToString("F3", CultureInfo.InvariantCulture)),
                ("best epoch", result.BestEpoch.ToString(CultureInfo.InvariantCulture)),
                ("training time", $"{epochs.Sum(e => e.Seconds):F0} s"),
            ],
            Charts =
            [
                new SvgLineChart
                {
                    Title = "Training loss (cross-entropy + Dice)", XLabel = "epoch", YLabel = "loss",
                    Series = [new ChartSeries("train loss", epochs.Select(e => ((double)e.Epoch, e.TrainLoss)).ToList(), "#d62728")],
                },
                new SvgLineChart
                {
                    Title = "Validation mIoU and pixel accuracy", XLabel = "epoch", YLabel = "score", YRange = (0, 1),
                    Series =
                    [
                        new ChartSeries("mIoU", epochs.Select(e => ((double)e.Epoch, e.ValidationMeanIoU ?? double.NaN)).ToList(), "#1f77b4"),
                        new ChartSeries("pixel accuracy", epochs.Select(e => ((double)e.Epoch, e.ValidationPixelAccuracy ?? double.NaN)).ToList(), "#2ca02c"),
                    ],
                },
            ],
            Classes = Description.ClassNames.Select((name, c) => new ClassRow(name, MaskVisualizer.Hex(Description.Colors[c]),
                metrics.IoU[c], metrics.Dice[c], metrics.Precision[c], metrics.Recall[c], hd95[c])).ToArray(),
            Samples = samples,
        };
    }

    private sealed class LineProgress(TextWriter output) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            if (p.Kind != ProgressKind.EpochEnd) return;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {p.Epoch,2}/{p.Epochs}  loss {p.Loss:F4}  lr {p.LearningRate:0.00e+0}  val mIoU {p.Validation?.MeanIoU:F3}  " +
                $"pixel acc {p.Validation?.PixelAccuracy:F3}  {p.ImagesPerSecond:F1} img/s  ETA {p.EstimatedRemaining:mm\\:ss}"));
        }
    }
}
