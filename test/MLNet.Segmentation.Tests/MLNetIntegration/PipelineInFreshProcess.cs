using Microsoft.ML;
using MLNet.Segmentation.MLNetIntegration;

namespace MLNet.Segmentation.Tests.MLNetIntegration;

/// <summary>
/// The child side of the fresh-process test: loads a pipeline saved by SaveModel into a new MLContext and writes the
/// PredictionEngine's class ids for each image path, one line per image ("id,id,...").
/// </summary>
internal static class PipelineInFreshProcess
{
    public const string Job = "mlnet-load-and-predict";

    /// <summary>args: pipeline zip, file of image paths (one per line), output file.</summary>
    public static int Run(string[] args)
    {
        if (args.Length != 3)
        {
            Console.Error.WriteLine($"usage: {Job} <pipeline.zip> <image-list> <output>");
            return 2;
        }
        var ml = new MLContext(seed: 123);
        var model = ml.Segmentation().LoadModel(args[0], out var schema);
        // The rows hold only the image path: the stored input schema is the scoring schema.
        var engine = ml.Model.CreatePredictionEngine<ImageRow, SegmentationPipelineTests.Prediction>(model, inputSchema: schema);
        var lines = File.ReadAllLines(args[1])
            .Select(path => string.Join(',', engine.Predict(new ImageRow { ImagePath = path }).PredictedLabel));
        File.WriteAllLines(args[2], lines);
        Console.WriteLine($"process {Environment.ProcessId}: predicted {File.ReadAllLines(args[1]).Length} images");
        return 0;
    }
}
