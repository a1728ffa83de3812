using MLNet.Segmentation.Onnx;

namespace MLNet.Segmentation.Onnx.Tests;

[TestClass]
public sealed class NoTorchSharpTests
{
    [TestMethod]
    public void TheOutputFolderHoldsNoTorchSharpAndNoLibTorch()
    {
        var files = Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        CollectionAssert.Contains(files, "MLNet.Segmentation.Onnx.dll");
        CollectionAssert.Contains(files, "MLNet.Segmentation.Core.dll");
        CollectionAssert.Contains(files, "Microsoft.ML.OnnxTransformer.dll");
        Assert.IsTrue(files.Any(f => f!.StartsWith("libonnxruntime", StringComparison.Ordinal)), "ONNX Runtime's native library is there");
        var torch = files.Where(f => f!.Contains("torch", StringComparison.OrdinalIgnoreCase) || f!.StartsWith("libc10", StringComparison.Ordinal)).ToList();
        Assert.AreEqual(0, torch.Count, "TorchSharp or libtorch files: " + string.Join(", ", torch));
    }

    [TestMethod]
    public void ScoringLoadsNoTorchSharpAssembly()
    {
        using var predictor = new OnnxSegmentationPredictor(Fixtures.Path("unet-64.onnx"));
        var image = new float[3 * 64 * 64];
        _ = predictor.Segment(image, 3, 64, 64);
        var loaded = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name ?? "").ToList();
        CollectionAssert.Contains(loaded, "MLNet.Segmentation.Onnx");
        Assert.IsFalse(loaded.Any(n => n.StartsWith("TorchSharp", StringComparison.Ordinal) || n == "MLNet.Segmentation"),
            "loaded: " + string.Join(", ", loaded.Where(n => n.Contains("Torch") || n.StartsWith("MLNet"))));
    }
}
