using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Samples;

namespace MLNet.Segmentation.Tests.Samples;

[TestClass]
public sealed class DemoCommandTests
{
    [TestMethod]
    public async Task DemoWritesModelPicturesAndReport()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlseg-demo-" + Guid.NewGuid().ToString("N"));
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int exit = await CommandLine.RunAsync(["demo", "--out", dir, "--epochs", "2", "--train", "16", "--val", "4", "--size", "48", "--width", "4"], output, error);
            Assert.AreEqual(0, exit, error.ToString());

            string text = output.ToString();
            StringAssert.Contains(text, "epoch   2/2");
            StringAssert.Contains(text, $"report:       {Path.Combine(dir, "report.html")}");
            using (var loaded = SegmentationModelFile.Load(Path.Combine(dir, "model.mlseg.zip")))
                CollectionAssert.AreEqual(new[] { "background", "circle", "rectangle", "triangle" }, loaded.Manifest.ClassNames.ToArray());
            Assert.AreEqual(4, Directory.GetFiles(Path.Combine(dir, "predictions"), "*.png").Length);
            Assert.AreEqual(4, Directory.GetFiles(Path.Combine(dir, "overlays"), "*.png").Length);
            Assert.IsTrue(File.Exists(Path.Combine(dir, "checkpoints", "checkpoint.safetensors")));
            string html = File.ReadAllText(Path.Combine(dir, "report.html"));
            StringAssert.Contains(html, "<svg");
            StringAssert.Contains(html, "Validation mIoU and pixel accuracy");
            StringAssert.Contains(html, "triangle");
            Assert.AreEqual(4 * 4, html.Split("data:image/png;base64,").Length - 1, "input, truth, prediction and overlay per sample");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public async Task BadDemoArgumentsExitWithUsageError()
    {
        var error = new StringWriter();
        Assert.AreEqual(2, await CommandLine.RunAsync(["demo", "--epochs", "zero"], new StringWriter(), error));
        StringAssert.Contains(error.ToString(), "--epochs must be an integer in [1, 100000], got 'zero'");
    }
}
