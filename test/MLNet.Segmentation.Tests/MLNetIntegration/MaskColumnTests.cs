using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.MLNetIntegration;

namespace MLNet.Segmentation.Tests.MLNetIntegration;

/// <summary>Trap 2 of issue #19: masks of every column type, resized by ResizeMasks in step with ResizeImages, encodings everywhere.</summary>
[TestClass]
public sealed class MaskColumnTests
{
    private static string _root = "";

    [ClassInitialize]
    public static void Create(TestContext _)
    {
        _root = Path.Combine(Path.GetTempPath(), "mlseg-masks-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
    }

    [ClassCleanup]
    public static void Remove()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    public sealed class MaskRow
    {
        public string MaskPath { get; set; } = "";
    }

    // A gray mask PNG whose pixel values are id * step for the given ids; returns its path.
    private static string WriteMask(string name, long[] ids, int width, int height, int step)
    {
        string path = Path.Combine(_root, name);
        ImageEncoder.WritePng(path, new Image(width, height, 1, ids.Select(v => (byte)(v * step)).ToArray()));
        return path;
    }

    private static long[] RandomIds(int width, int height, int seed, int block)
    {
        var random = new Random(seed);
        int bw = (width + block - 1) / block, bh = (height + block - 1) / block;
        var blocks = Enumerable.Range(0, bw * bh).Select(_ => (long)random.Next(4)).ToArray();
        return Enumerable.Range(0, width * height).Select(k => blocks[k / width / block * bw + k % width / block]).ToArray();
    }

    private static (byte[] MLNet, uint[] Ours) Resize(string path, int width, int height, ImageResizingEstimator.ResizingKind kind,
        ImageResizingEstimator.Anchor anchor)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new MaskRow { MaskPath = path } });
        var scored = ml.Transforms.LoadImages("Image", null, "MaskPath")
            .Append(ml.Transforms.ResizeImages("Image", width, height, resizing: kind, cropAnchor: anchor))
            .Append(ml.Segmentation().Transforms.ResizeMasks("Mask", width, height, "MaskPath", kind, anchor, new MaskOptions { Encoding = MaskEncoding.ClassIds }))
            .Fit(data).Transform(data);
        var image = scored.GetColumn<MLImage>("Image").Single();
        var red = image.Pixels.ToArray().Where((_, i) => i % 4 == (image.PixelFormat == MLPixelFormat.Bgra32 ? 2 : 0)).ToArray();
        return (red, ShapesOnDisk.Ids(scored, "Mask").Single());
    }

    [TestMethod]
    public void FillResizingMatchesResizeImagesPixelForPixel()
    {
        // Per-pixel random ids: any misalignment of the nearest-neighbour grid shows up.
        var ids = RandomIds(50, 37, seed: 3, block: 1);
        string path = WriteMask("random.png", ids, 50, 37, step: 60);
        foreach (var (w, h) in new[] { (32, 24), (77, 51), (50, 20) })
        {
            var (mlnet, ours) = Resize(path, w, h, ImageResizingEstimator.ResizingKind.Fill, ImageResizingEstimator.Anchor.Center);
            CollectionAssert.AreEqual(mlnet, ours.Select(v => (byte)v).ToArray(), $"Fill to {w}x{h}");
        }
    }

    [TestMethod]
    public void IsoCropAndIsoPadLineUpWithResizeImagesAndNeverBlendIds()
    {
        // 6-pixel blocks: away from block edges ResizeImages' smoothing filter leaves the block's value, which must be ours.
        var ids = RandomIds(60, 42, seed: 4, block: 6);
        string path = WriteMask("blocks.png", ids, 60, 42, step: 60);
        var kinds = new[]
        {
            (ImageResizingEstimator.ResizingKind.IsoCrop, ImageResizingEstimator.Anchor.Center, 32, 32),
            (ImageResizingEstimator.ResizingKind.IsoCrop, ImageResizingEstimator.Anchor.Left, 32, 32),
            (ImageResizingEstimator.ResizingKind.IsoCrop, ImageResizingEstimator.Anchor.Right, 24, 30),
            (ImageResizingEstimator.ResizingKind.IsoCrop, ImageResizingEstimator.Anchor.Top, 50, 20),
            (ImageResizingEstimator.ResizingKind.IsoCrop, ImageResizingEstimator.Anchor.Bottom, 50, 20),
            (ImageResizingEstimator.ResizingKind.IsoPad, ImageResizingEstimator.Anchor.Center, 32, 32),
            (ImageResizingEstimator.ResizingKind.IsoPad, ImageResizingEstimator.Anchor.Center, 90, 30),
        };
        var allowed = new HashSet<uint> { 0, 60, 120, 180 };
        foreach (var (kind, anchor, w, h) in kinds)
        {
            var (mlnet, ours) = Resize(path, w, h, kind, anchor);
            Assert.IsTrue(ours.All(allowed.Contains), $"{kind} {anchor}: ResizeMasks made a value that is not an input id");
            int interior = 0, agree = 0;
            for (int y = 1; y < h - 1; y++)
                for (int x = 1; x < w - 1; x++)
                {
                    uint v = ours[y * w + x];
                    bool uniform = true;
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++) uniform &= ours[(y + dy) * w + x + dx] == v;
                    if (!uniform) continue;
                    interior++;
                    if (Math.Abs(mlnet[y * w + x] - (int)v) <= 2) agree++;
                }
            Assert.IsTrue(interior > w * h / 3, $"{kind} {anchor} {w}x{h}: {interior} interior pixels");
            Assert.AreEqual(interior, agree, $"{kind} {anchor} {w}x{h}: ResizeMasks and ResizeImages disagree inside the blocks");
        }
    }

    public sealed class AllFormatsRow
    {
        public string MaskPath { get; set; } = "";
        public byte[] MaskBytes { get; set; } = [];
        [VectorType(16, 24)] public uint[] MaskIds { get; set; } = [];
        [VectorType(16, 24)] public uint[] MaskKeys { get; set; } = [];
    }

    [TestMethod]
    public void EveryMaskColumnTypeLoadsAndResizesToTheSameIdsAndBinaryThresholdsOnEachOfThem()
    {
        const int width = 24, height = 16;
        var ids = RandomIds(width, height, seed: 5, block: 3);
        foreach (bool binary in new[] { false, true })
        {
            // Binary masks store 0/255 (a few pixels with 200 and 30, which the threshold maps to 1 and 0).
            var stored = binary ? ids.Select((v, k) => v >= 2 ? (k % 7 == 0 ? 200L : 255L) : (k % 5 == 0 ? 30L : 0L)).ToArray() : ids;
            var expected = binary ? ids.Select(v => v >= 2 ? 1u : 0u).ToArray() : ids.Select(v => (uint)v).ToArray();
            string path = WriteMask(binary ? "binary.png" : "ids.png", stored, width, height, step: 1);
            var row = new AllFormatsRow
            {
                MaskPath = path, MaskBytes = File.ReadAllBytes(path), MaskIds = stored.Select(v => (uint)v).ToArray(),
                MaskKeys = stored.Select(v => (uint)v + 1).ToArray(),
            };
            var ml = new MLContext(seed: 1);
            var definition = SchemaDefinition.Create(typeof(AllFormatsRow));
            definition["MaskKeys"].ColumnType = new VectorDataViewType(new KeyDataViewType(typeof(uint), 256), height, width);
            var data = ml.Data.LoadFromEnumerable(new[] { row }, definition);
            var options = new MaskOptions { Encoding = binary ? MaskEncoding.Binary : MaskEncoding.ClassIds };
            var seg = ml.Segmentation().Transforms;
            IEstimator<ITransformer> pipeline = ml.Transforms.LoadImages("MaskImage", null, "MaskPath")
                .Append(ml.Transforms.ResizeImages("MaskSized", width, height, "MaskImage"))
                .Append(ml.Transforms.ExtractPixels("MaskFloats", "MaskSized", ImagePixelExtractingEstimator.ColorBits.Red));
            string[] inputs = ["MaskPath", "MaskBytes", "MaskImage", "MaskIds", "MaskKeys", "MaskFloats"];
            foreach (string input in inputs)
                pipeline = pipeline.Append(seg.LoadMasks("Loaded" + input, input, options))
                    .Append(seg.ResizeMasks("Resized" + input, 12, 8, input, ImageResizingEstimator.ResizingKind.Fill, options: options));
            var scored = pipeline.Fit(data).Transform(data);
            var resizedExpected = ShapesOnDisk.Ids(scored, "ResizedMaskPath")[0];
            Assert.AreEqual(96, resizedExpected.Length);
            foreach (string input in inputs)
            {
                CollectionAssert.AreEqual(expected, ShapesOnDisk.Ids(scored, "Loaded" + input)[0], $"LoadMasks from {input}, binary {binary}");
                CollectionAssert.AreEqual(resizedExpected, ShapesOnDisk.Ids(scored, "Resized" + input)[0], $"ResizeMasks from {input}, binary {binary}");
            }
            Assert.AreEqual(new VectorDataViewType(NumberDataViewType.UInt32, 8, 12), scored.Schema["ResizedMaskIds"].Type);

            // Decoded ids are not thresholded a second time: Binary over LoadMasks' output keeps class 1.
            var twice = seg.LoadMasks("Twice", "LoadedMaskPath", options).Fit(scored).Transform(scored);
            CollectionAssert.AreEqual(expected, ShapesOnDisk.Ids(twice, "Twice")[0], $"binary {binary}: LoadMasks over decoded ids");
        }
    }

    [TestMethod]
    public void LoadImagesResizeImagesAndResizeMasksFeedTheTrainerWithoutGlueAndAMissingResizeIsNamed()
    {
        using var shapes = new ShapesOnDisk(6, 40, 48, seed: 6);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(shapes.Rows);
        var options = new SegmentationTrainerOptions
        {
            ImageColumnName = "Image", LabelColumnName = "Mask", NumberOfClasses = 4, WidthDivisor = 8, NumberOfEpochs = 1, BatchSize = 3,
        };
        var images = ml.Transforms.LoadImages("Image", null, "ImagePath").Append(ml.Transforms.ResizeImages("Image", 32, 32));
        var model = images
            .Append(ml.Segmentation().Transforms.ResizeMasks("Mask", 32, 32, "MaskPath", options: new MaskOptions { Encoding = MaskEncoding.ClassIds }))
            .Append(ml.Segmentation().Trainers.UNet(options))
            .Fit(data);
        Assert.AreEqual(32 * 32, ShapesOnDisk.Ids(model.Transform(data), "PredictedLabel")[0].Length);

        // Without ResizeMasks the mask keeps the file's size: refused before training, naming the fix.
        var unresized = images.Append(ml.Segmentation().Transforms.LoadMasks("Mask", "MaskPath")).Append(ml.Segmentation().Trainers.UNet(options));
        var e = Assert.Throws<InvalidDataException>(() => unresized.Fit(data));
        StringAssert.Contains(e.Message, "label column 'Mask', row 0: it has 1920 class ids but the image has 32x32 pixels");
        StringAssert.Contains(e.Message, "ResizeMasks");
        Assert.IsFalse(e.Message.Contains('\n'), "one line");
    }
}
