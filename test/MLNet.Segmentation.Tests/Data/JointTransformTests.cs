using MLNet.Segmentation.Data.Transforms;
using MLNet.Segmentation.Engine;

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
        var mask = Tensor.FromArray(ids, height, width);
        var encoded = mask.To(DType.Float32) / 10.0;
        var ramp = Tensor.Arange(0, height * width, 1, DType.Float32).View(1, height, width) / (height * width);
        var image = Tensor.Cat([encoded.Unsqueeze(0), ramp, ramp * 0.5], 0);
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
                using var scope = DisposeScope.Enter();
                using var generator = new Generator(seed);
                var (image, mask) = Pair();
                var (outImage, outMask) = transform.Apply(image, mask, generator);
                var values = outMask.ToArray<long>().Distinct().ToArray();
                Assert.IsTrue(values.All(v => v is 0 or 3 or 7 or Ignore), $"{name} (seed {seed}) produced mask values {string.Join(",", values)}");
                Assert.AreEqual(DType.Int64, outMask.DType, name);
                Assert.AreEqual(DType.Float32, outImage.DType, name);
                CollectionAssert.AreEqual(outImage.Shape[1..], outMask.Shape, name);
            }
        }
    }

    [TestMethod]
    public void SameSeedSameResultDifferentSeedDifferentResult()
    {
        foreach (var (name, transform) in Transforms())
        {
            using var scope = DisposeScope.Enter();
            var (image, mask) = Pair();
            (Tensor, Tensor) Run(ulong seed)
            {
                using var generator = new Generator(seed);
                return transform.Apply(image, mask, generator);
            }
            var (a, am) = Run(11);
            var (b, bm) = Run(11);
            Assert.IsTrue(a.Equal(b) && am.Equal(bm), $"{name} is not deterministic");
        }
        using (DisposeScope.Enter())
        {
            var (image, mask) = Pair();
            var pipeline = Transforms().Last().Transform;
            using var g1 = new Generator(1);
            using var g2 = new Generator(2);
            Assert.IsFalse(pipeline.Apply(image, mask, g1).Image.Equal(pipeline.Apply(image, mask, g2).Image));
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
            using var scope = DisposeScope.Enter();
            using var generator = new Generator(5);
            var (image, mask) = Pair(64, 80, 16, 12);
            var (outImage, outMask) = transform.Apply(image, mask, generator);
            // Snap the bilinearly resampled code to the nearest id of {0, 3, 7}.
            var code = outImage.Select(0, 0) * 10.0;
            var decoded = Tensor.Where(code < 1.5, Tensor.Scalar(0L), Tensor.Where(code < 5.0, Tensor.Scalar(3L), Tensor.Scalar(7L)));
            var valid = outMask.Ne(Ignore);
            double agreement = decoded.Eq(outMask).LogicalAnd(valid).Sum().ToDouble() / valid.Sum().ToDouble();
            Assert.IsGreaterThan(0.95, agreement, $"{transform.GetType().Name}: only {agreement:P1} of pixels agree");
        }
    }

    [TestMethod]
    public void FlipsCropsAndPadsAreExact()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(0);
        var (image, mask) = Pair(4, 5);
        var (flipped, flippedMask) = new RandomHorizontalFlip(1).Apply(image, mask, generator);
        Assert.IsTrue(flippedMask.Equal(mask.Flip(1)));
        Assert.IsTrue(flipped.Equal(image.Flip(2)));

        var (padded, paddedMask) = new RandomCrop(6, 7, Ignore, imageFill: -1).Apply(image, mask, generator);
        CollectionAssert.AreEqual(new long[] { 3, 6, 7 }, padded.Shape);
        Assert.AreEqual(6 * 7 - 4 * 5, paddedMask.Eq(Ignore).Sum().ToInt64());
        Assert.AreEqual(3 * (6 * 7 - 4 * 5), padded.Eq(-1).Sum().ToInt64());

        var (mirrored, mirroredMask) = new MirrorPad(2).Apply(image, mask, generator);
        Assert.IsTrue(mirrored.Equal(image.Pad([2, 2, 2, 2], PadMode.Reflect)));
        Assert.IsTrue(mirroredMask.Equal(mask.To(DType.Float32).Unsqueeze(0).Pad([2, 2, 2, 2], PadMode.Reflect).Squeeze(0).To(DType.Int64)));
    }

    [TestMethod]
    public void MaskResizeIsNearestNeighbour()
    {
        using var scope = DisposeScope.Enter();
        var mask = Tensor.FromArray(new long[] { 1, 2, 3, 4 }, 2, 2);
        var image = mask.To(DType.Float32).Unsqueeze(0);
        var (_, resized) = new Resize(4, 4).Apply(image, mask, new Generator(0));
        CollectionAssert.AreEqual(new long[] { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 }, resized.ToArray<long>());
        // Pixel centres: rows 0,1,1 and columns 0,0,1,1,1 of the 2 x 2 input for a 3 x 5 output.
        CollectionAssert.AreEqual(new long[] { 1, 1, 2, 2, 2, 3, 3, 4, 4, 4, 3, 3, 4, 4, 4 },
            DataFunctional.ResizeNearest(mask, (3, 5)).ToArray<long>());
    }

    [TestMethod]
    public void ElasticDeformationMovesPixelsSmoothly()
    {
        using var scope = DisposeScope.Enter();
        var (image, mask) = Pair(64, 64);
        var (still, stillMask) = new ElasticDeformation(sigma: 0).Apply(image, mask, new Generator(3));
        Assert.IsTrue(stillMask.Equal(mask));
        Assert.IsTrue(still.AllClose(image, 1e-5, 1e-5));

        var (_, warpedMask) = new ElasticDeformation(sigma: 10).Apply(image, mask, new Generator(3));
        double changed = warpedMask.Ne(mask).To(DType.Float32).Mean().ToDouble();
        Assert.IsTrue(changed is > 0.02 and < 0.8, $"fraction of changed mask pixels {changed}");
    }

    [TestMethod]
    public void NormalizeUsesChannelStatistics()
    {
        using var scope = DisposeScope.Enter();
        var image = Tensor.Ones([2, 2, 2]);
        var (normalized, _) = new Normalize([0.5f, 0.25f], [0.5f, 0.25f]).Apply(image, Tensor.Zeros([2, 2], DType.Int64), new Generator(0));
        CollectionAssert.AreEqual(new float[] { 1, 1, 1, 1, 3, 3, 3, 3 }, normalized.ToArray<float>());
    }
}
