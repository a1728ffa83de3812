using MLNet.Segmentation.Data.Transforms;
using MLNet.Segmentation.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Data;

[TestClass]
public sealed class JointTransformTests
{
    private const long Ignore = 255;

    // A mask of blobs with the sparse ids {0, 3, 7} and an image whose channel 0 encodes the mask.
    private static (Tensor Image, Tensor Mask) Pair(int height = 40, int width = 52, int blockWidth = 9, int blockHeight = 7)
    {
        var ids = new long[height * width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                ids[y * width + x] = ((x / blockWidth + y / blockHeight) % 3) switch { 0 => 0, 1 => 3, _ => 7 };
        var mask = TensorData.FromArray(ids, height, width);
        var encoded = mask.to_type(ScalarType.Float32) / 10.0;
        var ramp = arange(0, height * width, 1, ScalarType.Float32).view(1, height, width) / (height * width);
        var image = cat([encoded.unsqueeze(0), ramp, ramp * 0.5], 0);
        return (image, mask);
    }

    private static IEnumerable<(string Name, IJointTransform Transform)> Transforms() =>
    [
        ("resize-bilinear", new Resize(33, 71)),
        ("resize-area", new Resize(20, 26, ImageResizeMode.Area)),
        ("scale", new RandomScale(0.5, 1.7)),
        ("crop-pad", new RandomCrop(48, 48, Ignore)),
        ("hflip", new RandomHorizontalFlip(1)),
        ("vflip", new RandomVerticalFlip(1)),
        ("rotate-fill", new RandomRotation(30, Ignore)),
        ("rotate-mirror", new RandomRotation(30)),
        ("elastic", new ElasticDeformation(10, 3)),
        ("jitter", new ColorJitter(0.3, 0.3, 0.3)),
        ("noise", new GaussianNoise(0.05)),
        ("normalize", Normalize.ImageNet),
        ("mirror-pad", new MirrorPad(5, 3, 7, 2)),
        ("mirror-pad-ignore", new MirrorPad(4, MaskPadding.Ignore, Ignore)),
        ("membrane-pipeline", Pipelines.MembraneTrain(24)),
        ("shapes-pipeline", Pipelines.ShapesTrain()),
        ("pipeline", new Compose(new RandomScale(0.75, 1.25), new RandomRotation(15, Ignore), new ElasticDeformation(),
            new RandomCrop(32, 32, Ignore), new RandomHorizontalFlip(), new ColorJitter(), new GaussianNoise(), Normalize.ImageNet)),
    ];

    [TestMethod]
    public void MasksNeverGainValues()
    {
        foreach (var (name, transform) in Transforms())
        {
            for (ulong seed = 0; seed < 6; seed++)
            {
                using var scope = NewDisposeScope();
                using var generator = new Generator(seed);
                var (image, mask) = Pair();
                var (outImage, outMask) = transform.Apply(image, mask, generator);
                var values = TensorData.ToArray<long>(outMask).Distinct().ToArray();
                Assert.IsTrue(values.All(v => v is 0 or 3 or 7 or Ignore), $"{name} (seed {seed}) produced mask values {string.Join(",", values)}");
                Assert.AreEqual(ScalarType.Int64, outMask.dtype, name);
                Assert.AreEqual(ScalarType.Float32, outImage.dtype, name);
                CollectionAssert.AreEqual(outImage.shape[1..], outMask.shape, name);
            }
        }
    }

    [TestMethod]
    public void SameSeedSameResultDifferentSeedDifferentResult()
    {
        foreach (var (name, transform) in Transforms())
        {
            using var scope = NewDisposeScope();
            var (image, mask) = Pair();
            (Tensor, Tensor) Run(ulong seed)
            {
                using var generator = new Generator(seed);
                return transform.Apply(image, mask, generator);
            }
            var (a, am) = Run(11);
            var (b, bm) = Run(11);
            Assert.IsTrue(Same(a, b) && Same(am, bm), $"{name} is not deterministic");
        }
        using (NewDisposeScope())
        {
            var (image, mask) = Pair();
            var pipeline = Transforms().Last().Transform;
            using var g1 = new Generator(1);
            using var g2 = new Generator(2);
            Assert.IsFalse(Same(pipeline.Apply(image, mask, g1).Image, pipeline.Apply(image, mask, g2).Image));
        }
    }

    [TestMethod]
    public void ImageAndMaskMoveTogether()
    {
        // Channel 0 of the image is mask / 10: geometric transforms must keep them aligned.
        IJointTransform[] geometric =
        [
            new RandomHorizontalFlip(1), new RandomVerticalFlip(1), new RandomCrop(30, 30, Ignore), new RandomRotation(25, Ignore),
            new ElasticDeformation(8), new RandomScale(0.6, 1.4), new MirrorPad(6),
        ];
        foreach (var transform in geometric)
        {
            using var scope = NewDisposeScope();
            using var generator = new Generator(5);
            var (image, mask) = Pair(64, 80, 16, 12);
            var (outImage, outMask) = transform.Apply(image, mask, generator);
            // Snap the bilinearly resampled code to the nearest id of {0, 3, 7}.
            var code = outImage.select(0, 0) * 10.0;
            var decoded = where(code < 1.5, tensor(0L), where(code < 5.0, tensor(3L), tensor(7L)));
            var valid = outMask.ne(Ignore);
            double agreement = decoded.eq(outMask).logical_and(valid).sum().item<long>() / (double)valid.sum().item<long>();
            Assert.IsGreaterThan(0.95, agreement, $"{transform.GetType().Name}: only {agreement:P1} of pixels agree");
        }
    }

    [TestMethod]
    public void FlipsCropsAndPadsAreExact()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(0);
        var (image, mask) = Pair(4, 5);
        var (flipped, flippedMask) = new RandomHorizontalFlip(1).Apply(image, mask, generator);
        Assert.IsTrue(Same(flippedMask, mask.flip(1)));
        Assert.IsTrue(Same(flipped, image.flip(2)));
        CollectionAssert.AreEqual(new[] { 4 / 20f, 3 / 20f, 2 / 20f, 1 / 20f, 0f }, TensorData.ToArray<float>(flipped.select(0, 1).select(0, 0)), "the ramp's row 0 mirrored");

        var (padded, paddedMask) = new RandomCrop(6, 7, Ignore, imageFill: -1).Apply(image, mask, generator);
        CollectionAssert.AreEqual(new long[] { 3, 6, 7 }, padded.shape);
        Assert.AreEqual(6 * 7 - 4 * 5, paddedMask.eq(Ignore).sum().item<long>());
        Assert.AreEqual(3 * (6 * 7 - 4 * 5), padded.eq(-1).sum().item<long>());

        var (mirrored, mirroredMask) = new MirrorPad(2).Apply(image, mask, generator);
        Assert.IsTrue(Same(mirrored, nn.functional.pad(image, [2, 2, 2, 2], PaddingModes.Reflect)));
        Assert.IsTrue(Same(mirroredMask, nn.functional.pad(mask.to_type(ScalarType.Float32).unsqueeze(0), [2, 2, 2, 2], PaddingModes.Reflect).squeeze(0).to_type(ScalarType.Int64)));
        // Reflection leaves out the edge: padded column 0 is input column 2.
        CollectionAssert.AreEqual(TensorData.ToArray<float>(image.select(2, 2)), TensorData.ToArray<float>(mirrored.narrow(1, 2, 4).select(2, 0)));
    }

    [TestMethod]
    public void MaskResizeIsNearestNeighbour()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(0);
        var mask = TensorData.FromArray(new long[] { 1, 2, 3, 4 }, 2, 2);
        var image = mask.to_type(ScalarType.Float32).unsqueeze(0);
        var (_, resized) = new Resize(4, 4).Apply(image, mask, generator);
        CollectionAssert.AreEqual(new long[] { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 }, TensorData.ToArray<long>(resized));
        // Pixel centres: rows 0,1,1 and columns 0,0,1,1,1 of the 2 x 2 input for a 3 x 5 output.
        CollectionAssert.AreEqual(new long[] { 1, 1, 2, 2, 2, 3, 3, 4, 4, 4, 3, 3, 4, 4, 4 },
            TensorData.ToArray<long>(DataFunctional.ResizeNearest(mask, (3, 5))));
    }

    [TestMethod]
    public void ElasticDeformationMovesPixelsSmoothly()
    {
        using var scope = NewDisposeScope();
        using var g0 = new Generator(3);
        using var g1 = new Generator(3);
        var (image, mask) = Pair(64, 64);
        var (still, stillMask) = new ElasticDeformation(sigma: 0).Apply(image, mask, g0);
        Assert.IsTrue(Same(stillMask, mask));
        Assert.IsTrue(still.allclose(image, 1e-5, 1e-5));

        var (_, warpedMask) = new ElasticDeformation(sigma: 10).Apply(image, mask, g1);
        double changed = warpedMask.ne(mask).to_type(ScalarType.Float32).mean().item<float>();
        Assert.IsTrue(changed is > 0.02 and < 0.8, $"fraction of changed mask pixels {changed}");
    }

    [TestMethod]
    public void NormalizeUsesChannelStatistics()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(0);
        var image = ones([2, 2, 2]);
        var (normalized, _) = new Normalize([0.5f, 0.25f], [0.5f, 0.25f]).Apply(image, zeros([2, 2], ScalarType.Int64), generator);
        CollectionAssert.AreEqual(new float[] { 1, 1, 1, 1, 3, 3, 3, 3 }, TensorData.ToArray<float>(normalized));
    }

    [TestMethod]
    public void TheGeneratorAloneDecidesTheRandomness()
    {
        // The global generator must not matter: reseeding it between runs changes nothing.
        using var scope = NewDisposeScope();
        var (image, mask) = Pair();
        var pipeline = Transforms().Last().Transform;
        (Tensor, Tensor) Run(long global)
        {
            random.manual_seed(global);
            using var generator = new Generator(42);
            return pipeline.Apply(image, mask, generator);
        }
        var (a, am) = Run(1);
        var (b, bm) = Run(2);
        Assert.IsTrue(Same(a, b) && Same(am, bm));
    }

    private static bool Same(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.equal(b).all().item<bool>();
}
