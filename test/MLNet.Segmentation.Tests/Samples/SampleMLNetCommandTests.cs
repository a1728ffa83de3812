using System.Globalization;
using System.Text.RegularExpressions;
using MLNet.Segmentation.Samples;

namespace MLNet.Segmentation.Tests.Samples;

/// <summary>`mlseg sample mlnet` on synthetic shapes: it trains, evaluates, writes the pictures and reloads its model.</summary>
[TestClass]
public sealed class SampleMLNetCommandTests
{
    [TestMethod]
    public async Task TrainsEvaluatesWritesPicturesAndReloads()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "mlseg-sample-" + Guid.NewGuid().ToString("N"));
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int code = await CommandLine.RunAsync(["sample", "mlnet", "--synthetic", "--epochs", "3", "--out", outDir], output, error);
            Assert.AreEqual(0, code, error.ToString() + output);
            string text = output.ToString();
            StringAssert.Contains(text, "synthetic shapes, 32 training and 8 validation images at 64x64");
            StringAssert.Contains(text, "epoch 3/3: loss");
            var accuracy = Regex.Match(text, @"pixel accuracy (\d\.\d+)");
            Assert.IsTrue(accuracy.Success, text);
            // Background covers most pixels; three epochs of a narrow U-Net do at least as well as always saying background.
            Assert.IsTrue(double.Parse(accuracy.Groups[1].Value, CultureInfo.InvariantCulture) > 0.6, text);
            StringAssert.Contains(text, "PREDICTED");
            StringAssert.Contains(text, "Precision");
            StringAssert.Contains(text, "reloaded ");
            StringAssert.Contains(text, "4096 class ids");
            Assert.AreEqual(8, Directory.GetFiles(Path.Combine(outDir, "overlays"), "*.png").Length);
            Assert.AreEqual(8, Directory.GetFiles(Path.Combine(outDir, "predictions"), "*.png").Length);
            Assert.IsTrue(File.Exists(Path.Combine(outDir, "model.zip")));

            var help = new StringWriter();
            Assert.AreEqual(0, await CommandLine.RunAsync(["sample", "--help"], help, error));
            StringAssert.Contains(help.ToString(), "mlnet");
            var missing = new StringWriter();
            Assert.AreEqual(2, await CommandLine.RunAsync(["sample", "mlnte"], new StringWriter(), missing));
            StringAssert.StartsWith(missing.ToString().Trim(), "mlseg sample: unknown command 'mlnte' (did you mean 'mlnet'?)");
        }
        finally
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, true);
        }
    }
}
