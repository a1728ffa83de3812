using Microsoft.ML;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.MLNetIntegration;

namespace MLNet.Segmentation.Samples.MLNetSample;

/// <summary>
/// The ML.NET sample that README shows: LoadImages -> ResizeImages -> ResizeMasks -> U-Net -> colour and overlay
/// pictures; Evaluate; SaveModel; LoadModel in a new MLContext; a PredictionEngine on an image path.
/// </summary>
public static class MLNetPipelineSample
{
    /// <summary>Runs the sample on <paramref name="data"/>, writing pictures and the model to <paramref name="outputFolder"/>.</summary>
    public static SemanticSegmentationMetrics Run(SampleData data, string outputFolder, int epochs, TextWriter output, CancellationToken cancellation)
    {
        var ml = new MLContext(seed: 1);
        var seg = ml.Segmentation();
        var train = ml.Data.LoadFromEnumerable(data.Train);
        var valid = ml.Data.LoadFromEnumerable(data.Validation);

        var pipeline = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath")
            .Append(ml.Transforms.ResizeImages("Image", imageWidth: data.Size, imageHeight: data.Size))
            .Append(seg.Transforms.ResizeMasks("Mask", data.Size, data.Size, "MaskPath", options: new MaskOptions { Encoding = data.MaskEncoding }))
            .Append(seg.Trainers.UNet(new SegmentationTrainerOptions
            {
                ImageColumnName = "Image", LabelColumnName = "Mask", NumberOfClasses = data.ClassNames.Length, ClassNames = data.ClassNames,
                ImageChannels = data.Channels, WidthDivisor = 8, NumberOfEpochs = epochs, BatchSize = 2, LearningRate = 1e-2,
                Progress = new EpochLines(output),
                CancellationToken = cancellation,
            }))
            .Append(seg.Transforms.ColorizeMask("Colored"))
            .Append(seg.Transforms.OverlayMask("Overlay", "Image"));

        var model = pipeline.Fit(train);
        var scored = model.Transform(valid);
        var metrics = seg.Evaluate(scored, labelColumnName: "Mask");
        output.WriteLine(metrics);
        output.Write(metrics.ConfusionMatrix.GetFormattedConfusionTable());

        Directory.CreateDirectory(Path.Combine(outputFolder, "predictions"));
        Directory.CreateDirectory(Path.Combine(outputFolder, "overlays"));
        int row = 0;
        foreach (var image in ml.Data.CreateEnumerable<SegmentedImage>(scored, reuseRowObject: false))
        {
            string name = Path.GetFileNameWithoutExtension(data.Validation[row++].ImagePath) + ".png";
            image.Colored.Save(Path.Combine(outputFolder, "predictions", name));
            image.Overlay.Save(Path.Combine(outputFolder, "overlays", name));
        }

        string modelPath = Path.Combine(outputFolder, "model.zip");
        seg.SaveModel(model, train.Schema, modelPath);
        var loaded = new MLContext().Segmentation().LoadModel(modelPath, out var schema);
        var engine = ml.Model.CreatePredictionEngine<ImageToSegment, SegmentedImage>(loaded, schema);
        var first = engine.Predict(new ImageToSegment { ImagePath = data.Validation[0].ImagePath });
        output.WriteLine($"reloaded {modelPath}: {first.PredictedLabel.Length} class ids for {data.Validation[0].ImagePath}");
        return metrics;
    }

    // One line per finished epoch, written on the training thread (Progress<T> would post it elsewhere, out of order).
    private sealed class EpochLines(TextWriter output) : IProgress<Training.TrainingProgress>
    {
        public void Report(Training.TrainingProgress value)
        {
            if (value.Kind == Training.ProgressKind.EpochEnd)
                output.WriteLine(FormattableString.Invariant($"epoch {value.Epoch}/{value.Epochs}: loss {value.Loss:F4}, {value.ImagesPerSecond:F1} images/s"));
        }
    }
}
