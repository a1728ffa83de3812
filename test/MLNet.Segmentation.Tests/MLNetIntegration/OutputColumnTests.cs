using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.MLNetIntegration;

namespace MLNet.Segmentation.Tests.MLNetIntegration;

/// <summary>Outputs of issue #19: PredictedLabel (H x W), Score (K x H x W), and colourised mask / overlay MLImage columns.</summary>
[TestClass]
public sealed class OutputColumnTests
{
    public sealed class Scored
    {
        public uint[] PredictedLabel { get; set; } = [];
        public float[] Score { get; set; } = [];
        public MLImage Colored { get; set; } = null!;
        public MLImage Overlay { get; set; } = null!;
    }

    [TestMethod]
    public void PredictedLabelScoreColorizedMaskAndOverlayComeOutAsImageSizedColumnsThatCreateEnumerableHandsOver()
    {
        using var shapes = new ShapesOnDisk(6, 32, 32, seed: 8);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(shapes.Rows);
        var seg = ml.Segmentation();
        var colors = new[] { new Rgb(0, 0, 0), new Rgb(255, 0, 0), new Rgb(0, 255, 0), new Rgb(0, 0, 255) };
        var model = ml.Transforms.LoadImages("Image", null, "ImagePath")
            .Append(ml.Transforms.ResizeImages("Image", 32, 32))
            .Append(seg.Trainers.UNet(new SegmentationTrainerOptions
            {
                ImageColumnName = "Image", LabelColumnName = "MaskPath", NumberOfClasses = 4, WidthDivisor = 8, NumberOfEpochs = 8, BatchSize = 2,
                LearningRate = 0.01, ScoreColumnName = "Score", MaskEncoding = MaskEncoding.ClassIds,
            }))
            .Append(seg.Transforms.ColorizeMask("Colored", colors: colors))
            .Append(seg.Transforms.OverlayMask("Overlay", "Image", colors: colors, opacity: 0.25))
            .Fit(data);
        var scored = model.Transform(data);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.UInt32, 32, 32), scored.Schema["PredictedLabel"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 4, 32, 32), scored.Schema["Score"].Type);
        Assert.AreEqual(new Microsoft.ML.Transforms.Image.ImageDataViewType(32, 32), scored.Schema["Colored"].Type);

        // Every row keeps its own images after the enumeration moved on; they save as PNG files.
        var rows = ml.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false).ToList();
        Assert.AreEqual(6, rows.Count);
        var pixels = ml.Data.CreateEnumerable<ImageRow>(data, reuseRowObject: false)
            .Select(r => ImageDecoder.Read(r.ImagePath)).ToArray();
        for (int i = 0; i < rows.Count; i++)
        {
            string colored = Path.Combine(shapes.Root, $"colored{i}.png"), overlay = Path.Combine(shapes.Root, $"overlay{i}.png");
            rows[i].Colored.Save(colored);
            rows[i].Overlay.Save(overlay);
            var c = ImageDecoder.Read(colored);
            var o = ImageDecoder.Read(overlay);
            var ids = rows[i].PredictedLabel;
            Assert.AreEqual(4 * 32 * 32, rows[i].Score.Length);
            for (int p = 0; p < ids.Length; p += 7)
            {
                var expected = colors[ids[p]];
                Assert.AreEqual((int)expected.R, c[p % 32, p / 32, 0], $"row {i} pixel {p} red");
                Assert.AreEqual((int)expected.B, c[p % 32, p / 32, 2], $"row {i} pixel {p} blue");
                for (int ch = 0; ch < 3; ch++)
                {
                    int image = pixels[i][p % 32, p / 32, ch];
                    int colour = ch == 0 ? expected.R : ch == 1 ? expected.G : expected.B;
                    int blended = ids[p] == 0 ? image : (int)Math.Round(0.75 * image + 0.25 * colour);
                    Assert.AreEqual(blended, o[p % 32, p / 32, ch], 1, $"row {i} pixel {p} channel {ch} of the overlay");
                }
            }
        }
        Assert.IsTrue(rows.SelectMany(r => r.PredictedLabel).Distinct().Count() > 1, "more than one class predicted");
    }
}
