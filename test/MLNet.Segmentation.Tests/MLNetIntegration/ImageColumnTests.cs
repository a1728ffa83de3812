using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.MLNetIntegration;

namespace MLNet.Segmentation.Tests.MLNetIntegration;

/// <summary>Trap 1 of issue #19: MLImage columns (LoadImages, ResizeImages, ConvertToGrayscale) are image inputs like paths.</summary>
[TestClass]
public sealed class ImageColumnTests
{
    private static ShapesOnDisk _shapes = null!;

    [ClassInitialize]
    public static void Write(TestContext _) => _shapes = new ShapesOnDisk(8, 32, 32, seed: 21);

    [ClassCleanup]
    public static void Remove() => _shapes.Dispose();

    private static SegmentationTrainerOptions Options(string image, int channels = 3) => new()
    {
        ImageColumnName = image, LabelColumnName = "MaskPath", NumberOfClasses = 4, ImageChannels = channels, WidthDivisor = 8,
        NumberOfEpochs = 1, BatchSize = 4, LearningRate = 0.01, MaskEncoding = MaskEncoding.ClassIds,
    };

    [TestMethod]
    public void AnMLImageColumnIsReadAsTheSamePixelsAsTheFileItWasLoadedFrom()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(_shapes.Rows);
        var seg = ml.Segmentation().Transforms;
        var pixels = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath")
            .Append(ml.Transforms.ConvertToGrayscale("Gray", "Image"))
            .Append(seg.LoadImages("FromImage", "Image"))
            .Append(seg.LoadImages("FromPath", "ImagePath"))
            .Append(seg.LoadImages("FromGray", "Gray", channels: 1))
            .Fit(data).Transform(data);
        Assert.AreEqual(new ImageDataViewType(), pixels.Schema["Image"].Type);
        var fromImage = pixels.GetColumn<VBuffer<float>>("FromImage").Select(v => v.DenseValues().ToArray()).ToArray();
        var fromPath = pixels.GetColumn<VBuffer<float>>("FromPath").Select(v => v.DenseValues().ToArray()).ToArray();
        for (int i = 0; i < fromPath.Length; i++) CollectionAssert.AreEqual(fromPath[i], fromImage[i], $"row {i}: MLImage pixels = decoded PNG pixels");

        // ConvertToGrayscale gives R = G = B; one channel is that value.
        var gray = pixels.GetColumn<MLImage>("Gray").First();
        var fromGray = pixels.GetColumn<VBuffer<float>>("FromGray").First().DenseValues().ToArray();
        Assert.AreEqual(32 * 32, fromGray.Length);
        var raw = gray.Pixels.ToArray();
        for (int p = 0; p < fromGray.Length; p += 37) Assert.AreEqual(raw[4 * p] / 255f, fromGray[p], 1e-7, $"pixel {p}");
    }

    [TestMethod]
    public void TheTrainerTakesMLImagesOfAnySizeAndOneNetworkPredictsTheSameFromTheMLImageAndThePath()
    {
        var ml = new MLContext(seed: 2);
        var data = ml.Data.LoadFromEnumerable(_shapes.Rows);
        var model = ml.Transforms.LoadImages("Image", null, "ImagePath")
            .Append(ml.Segmentation().Trainers.UNet(Options("Image")))
            .Fit(data);
        var fromImage = ShapesOnDisk.Ids(model.Transform(data), "PredictedLabel");
        Assert.AreEqual(32 * 32, fromImage[0].Length);

        // The same network reading the path column predicts identically: the MLImage carried the same pixels.
        var network = model.LastTransformer;
        var byPath = new SegmentationTransformer(network.Model, network.Manifest, network.Columns with { ImageColumnName = "ImagePath" });
        CollectionAssert.AreEqual(fromImage.SelectMany(v => v).ToArray(), ShapesOnDisk.Ids(byPath.Transform(data), "PredictedLabel").SelectMany(v => v).ToArray());

        // Gray MLImages (ConvertToGrayscale) train a one-channel network; ResizeImages' fixed size reaches the output type.
        var grayOptions = Options("Image", channels: 1);
        grayOptions.LabelColumnName = "Mask";
        var gray = ml.Transforms.LoadImages("Image", null, "ImagePath")
            .Append(ml.Transforms.ResizeImages("Image", imageWidth: 40, imageHeight: 24, resizing: ImageResizingEstimator.ResizingKind.Fill))
            .Append(ml.Transforms.ConvertToGrayscale("Image"))
            .Append(ml.Segmentation().Transforms.ResizeMasks("Mask", 40, 24, "MaskPath", ImageResizingEstimator.ResizingKind.Fill))
            .Append(ml.Segmentation().Trainers.UNet(grayOptions))
            .Fit(data);
        Assert.AreEqual(1, gray.LastTransformer.Manifest.InChannels);
        var scored = gray.Transform(data);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.UInt32, 24, 40), scored.Schema["PredictedLabel"].Type);
        Assert.AreEqual(24 * 40, ShapesOnDisk.Ids(scored, "PredictedLabel")[0].Length);
    }
}
