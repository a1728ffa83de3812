using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Data;

[TestClass]
public sealed class DatasetLayoutTests
{
    private string _root = "";

    [TestInitialize]
    public void CreateFolder() => _root = Directory.CreateTempSubdirectory("mlseg-datasets-").FullName;

    [TestCleanup]
    public void DeleteFolder() => Directory.Delete(_root, recursive: true);

    private static readonly DatasetDescription ThreeClasses = new()
    {
        Name = "three",
        ClassNames = ["a", "b", "c"],
        Colors = [new Rgb(0, 0, 0), new Rgb(255, 0, 0), new Rgb(0, 255, 0)],
        IgnoreIndex = 255,
        MaskEncoding = MaskEncoding.ClassIds,
    };

    private string WritePair(string imageFolder, string maskFolder, string stem, int width = 6, int height = 4,
        int maskWidth = -1, byte maskValue = 1, string imageExtension = ".png")
    {
        Directory.CreateDirectory(Path.Combine(_root, imageFolder));
        Directory.CreateDirectory(Path.Combine(_root, maskFolder));
        var pixels = Enumerable.Range(0, width * height * 3).Select(v => (byte)(v * 5)).ToArray();
        string imagePath = Path.Combine(_root, imageFolder, stem + imageExtension);
        if (imageExtension == ".png") ImageEncoder.WritePng(imagePath, new Image(width, height, 3, pixels));
        else ImageEncoder.WriteJpeg(imagePath, new Image(width, height, 3, pixels));
        int mw = maskWidth < 0 ? width : maskWidth;
        ImageEncoder.WritePng(Path.Combine(_root, maskFolder, stem + ".png"), new Image(mw, height, 1, Enumerable.Repeat(maskValue, mw * height).ToArray()));
        return imagePath;
    }

    [TestMethod]
    public void PairedFoldersMatchByStemInNaturalOrder()
    {
        foreach (string stem in new[] { "10", "2", "1" }) WritePair("images", "masks", stem);
        var dataset = PairedFileDataset.FromFolders(Path.Combine(_root, "images"), Path.Combine(_root, "masks"), ThreeClasses);
        CollectionAssert.AreEqual(new[] { "1", "2", "10" }, dataset.Samples.Select(s => s.Name).ToArray());
        dataset.Validate();

        using var scope = NewDisposeScope();
        using var sample = dataset.Get(1);
        CollectionAssert.AreEqual(new long[] { 3, 4, 6 }, sample.Image.shape);
        CollectionAssert.AreEqual(new long[] { 4, 6 }, sample.Mask.shape);
        Assert.AreEqual(ScalarType.Int64, sample.Mask.dtype);
        Assert.AreEqual("2", sample.Name);
    }

    [TestMethod]
    public void MissingPartnersAreNamed()
    {
        WritePair("images", "masks", "a");
        WritePair("images", "masks", "b");
        File.Delete(Path.Combine(_root, "masks", "b.png"));
        var e = Assert.ThrowsExactly<InvalidDataException>(() =>
            PairedFileDataset.FromFolders(Path.Combine(_root, "images"), Path.Combine(_root, "masks"), ThreeClasses));
        StringAssert.Contains(e.Message, Path.Combine(_root, "images", "b.png"));

        WritePair("images2", "masks2", "a");
        ImageEncoder.WritePng(Path.Combine(_root, "masks2", "orphan.png"), new Image(1, 1, 1, [0]));
        e = Assert.ThrowsExactly<InvalidDataException>(() =>
            PairedFileDataset.FromFolders(Path.Combine(_root, "images2"), Path.Combine(_root, "masks2"), ThreeClasses));
        StringAssert.Contains(e.Message, "orphan.png");
    }

    [TestMethod]
    public void SizeMismatchAndBadIdsNameTheFiles()
    {
        string image = WritePair("images", "masks", "wide", maskWidth: 5);
        WritePair("images", "masks", "bad", maskValue: 7);
        var dataset = PairedFileDataset.FromFolders(Path.Combine(_root, "images"), Path.Combine(_root, "masks"), ThreeClasses);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => dataset.Get(1));
        StringAssert.Contains(e.Message, image);
        StringAssert.Contains(e.Message, "wide.png");
        Assert.ThrowsExactly<InvalidDataException>(dataset.Validate);
        e = Assert.ThrowsExactly<InvalidDataException>(() => dataset.Get(0));
        StringAssert.Contains(e.Message, Path.Combine(_root, "masks", "bad.png"));
        StringAssert.Contains(e.Message, "class id 7");
    }

    [TestMethod]
    public void ListFilesResolveRelativePathsAndReportLines()
    {
        WritePair("train", "trainannot", "x1");
        WritePair("train", "trainannot", "x2", imageExtension: ".jpg");
        string list = Path.Combine(_root, "train.txt");
        File.WriteAllLines(list, ["# CamVid-style list", "train/x1.png trainannot/x1.png", "", "train/x2.jpg  trainannot/x2.png"]);
        var dataset = PairedFileDataset.FromListFile(list, ThreeClasses);
        Assert.AreEqual(2, dataset.Count);
        using (var sample = dataset.Get(1)) Assert.AreEqual("x2", sample.Name);

        File.WriteAllLines(list, ["train/x1.png trainannot/x1.png", "train/x3.png trainannot/x3.png"]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => PairedFileDataset.FromListFile(list, ThreeClasses));
        StringAssert.Contains(e.Message, list + ":2");
        StringAssert.Contains(e.Message, "x3.png");

        File.WriteAllLines(list, ["train/x1.png"]);
        e = Assert.ThrowsExactly<InvalidDataException>(() => PairedFileDataset.FromListFile(list, ThreeClasses));
        StringAssert.Contains(e.Message, list + ":1");
    }

    [TestMethod]
    public void PascalVocLayoutIsRead()
    {
        string voc = Path.Combine(_root, "VOC2012");
        Directory.CreateDirectory(Path.Combine(voc, "ImageSets", "Segmentation"));
        Directory.CreateDirectory(Path.Combine(voc, "JPEGImages"));
        Directory.CreateDirectory(Path.Combine(voc, "SegmentationClass"));
        File.WriteAllLines(Path.Combine(voc, "ImageSets", "Segmentation", "val.txt"), ["2007_000032"]);
        ImageEncoder.WriteJpeg(Path.Combine(voc, "JPEGImages", "2007_000032.jpg"), new Image(8, 8, 3, new byte[8 * 8 * 3]));
        var ids = Enumerable.Range(0, 64).Select(k => (byte)(k < 32 ? 15 : k < 40 ? 255 : 0)).ToArray();
        var palette = DatasetDescription.PascalVoc.Palette();
        ImageEncoder.WritePng(Path.Combine(voc, "SegmentationClass", "2007_000032.png"), new Image(8, 8, 1, ids, palette));

        var dataset = PairedFileDataset.FromVoc(voc, "val");
        using var sample = dataset.Get(0);
        CollectionAssert.AreEquivalent(new long[] { 0, 15, 255 }, TensorData.ToArray<long>(sample.Mask).Distinct().ToArray());
        Assert.AreEqual(new Rgb(192, 128, 128), DatasetDescription.PascalVoc.Colors[15]);
        Assert.AreEqual(new Rgb(224, 224, 192), DatasetDescription.PascalVoc.IgnoreColor);
    }

    [TestMethod]
    public void SyntheticShapesAreDeterministicAndContainEveryClass()
    {
        var dataset = new SyntheticShapesDataset(40, 64, 80, seed: 7);
        var (image, mask) = dataset.Generate(3);
        var (image2, mask2) = dataset.Generate(3);
        CollectionAssert.AreEqual(image, image2);
        CollectionAssert.AreEqual(mask, mask2);
        Assert.AreNotEqual(mask.Sum(), new SyntheticShapesDataset(40, 64, 80, seed: 8).Generate(3).Mask.Sum());
        Assert.IsTrue(image.All(v => v is >= 0 and <= 1));

        var classes = Enumerable.Range(0, dataset.Count).SelectMany(i => dataset.Generate(i).Mask).Distinct().Order().ToArray();
        CollectionAssert.AreEqual(new long[] { 0, 1, 2, 3 }, classes);

        using var sample = dataset.Get(0);
        CollectionAssert.AreEqual(new long[] { 3, 64, 80 }, sample.Image.shape);
        CollectionAssert.AreEqual(new long[] { 64, 80 }, sample.Mask.shape);
    }
}
