using MLNet.Segmentation.Inference;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Onnx;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Onnx;

/// <summary>
/// The ONNX Runtime predictor against the TorchSharp one on the same network: normalization inside the graph, whole
/// images and sliding windows with flip TTA give the same probabilities and class ids.
/// </summary>
[TestClass]
public sealed class OnnxPredictorParityTests
{
    private static readonly float[] Mean = [0.40f, 0.50f, 0.60f], Std = [0.20f, 0.25f, 0.30f];

    private static (UNet Model, ModelManifest Manifest) Network()
    {
        manual_seed(5);
        var model = new UNet(3, new UNetOptions { Depth = 2, BaseWidth = 4, BatchNorm = true });
        // Running statistics away from 0/1, so BatchNorm is really exported.
        model.train();
        using (no_grad())
            for (int i = 0; i < 3; i++) model.call(rand(2, 3, 32, 32) * 2 + 0.5).Dispose();
        model.eval();
        var manifest = new ModelManifest
        {
            Architecture = "", Options = default, NumClasses = 3, InChannels = 3, ClassNames = ["a", "b", "c"],
            ClassColors = ["#000000", "#ff0000", "#00ff00"], Mean = Mean, Std = Std,
        };
        return (model, manifest);
    }

    [TestMethod]
    [DataRow(false, false, DisplayName = "whole image")]
    [DataRow(true, true, DisplayName = "32 x 32 tiles, overlap 0.5, flip TTA")]
    public void OnnxRuntimeSegmentsAsTheTorchSharpPredictor(bool tiled, bool flip)
    {
        var (model, manifest) = Network();
        using var _ = model;
        string path = Path.Combine(Path.GetTempPath(), $"parity-{Guid.NewGuid():N}.onnx");
        try
        {
            SegmentationModelFile.ExportOnnx(model, manifest, path, new OnnxExportOptions { DynamicSize = true });
            var window = tiled ? new SlidingWindowOptions { TileSize = (32, 32), Overlap = 0.5 } : null;
            var torchSide = new SegmentationPredictor(model, new PredictorOptions { Mean = Mean, Std = Std, SlidingWindow = window, HorizontalFlip = flip });
            using var onnxSide = new OnnxSegmentationPredictor(path, new OnnxPredictorOptions { SlidingWindow = window, HorizontalFlip = flip });

            const int h = 50, w = 70;
            var random = new Random(9);
            var pixels = Enumerable.Range(0, 3 * h * w).Select(_ => (float)random.NextDouble()).ToArray();
            var expected = torchSide.Segment(pixels, 3, h, w, withProbabilities: true);
            var actual = onnxSide.Segment(pixels, 3, h, w, withProbabilities: true);

            double worst = expected.Probabilities!.Zip(actual.Probabilities!, (p, q) => Math.Abs(p - q)).Max();
            Assert.IsTrue(worst <= 1e-4, $"probabilities differ by up to {worst:E2}");
            int same = expected.ClassIds.Zip(actual.ClassIds, (p, q) => p == q ? 1 : 0).Sum();
            Assert.IsTrue(same >= 0.9999 * h * w, $"{same} of {h * w} class ids agree");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
