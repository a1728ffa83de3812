using System.Text.Json;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Data.Transforms;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Samples.Commands;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Data;

/// <summary>
/// `mlseg train --augment full --crop HxW` on RGB data (then ImageNet normalization) against build/camvid/pytorch_camvid.py's
/// augmentation, sample for sample: the per-sample seed (SeedMixer.Mix of seed, epoch and index), the draws from torch's
/// generator (torch 1.13 made the fixture; libtorch 2.10 runs here), scale, crop with padding, flip, colour jitter and
/// normalization must agree, so that the two sides of the CamVid comparison see the same training images.
/// </summary>
[TestClass]
public sealed class CamVidTwinTests
{
    private static readonly JsonElement Twin = Fixture.Load("Data", "camvid_twin.json");

    [TestMethod]
    public void AugmentationMatchesThePyTorchTwinDrawForDraw()
    {
        var dataset = new RepeatedSample(Twin);
        foreach (var c in Twin.GetProperty("cases").EnumerateArray())
        {
            ulong seed = (ulong)c.GetProperty("seed").GetInt64();
            int epoch = c.GetProperty("epoch").GetInt32(), index = c.GetProperty("index").GetInt32();
            long[] crop = c.GetProperty("crop").Longs();
            string name = $"seed {seed}, epoch {epoch}, index {index}";
            Assert.AreEqual(ulong.Parse(c.GetProperty("mix").GetString()!), SeedMixer.Mix(seed, (ulong)epoch, (ulong)index), $"{name}: sample seed");

            var transform = new Compose(TrainCommand.FullAugmentation(DatasetDescription.CamVid, (int)crop[0], (int)crop[1]), Normalize.ImageNet);
            var loader = new DataLoader(dataset, new DataLoaderOptions { BatchSize = 1, Workers = 0, Seed = seed, Transform = transform });
            using var batch = loader.BuildBatch([index], epoch);
            CollectionAssert.AreEqual(c.GetProperty("shape").Longs(), batch.Images.shape[1..], $"{name}: shape");
            CollectionAssert.AreEqual(c.GetProperty("mask").Longs(), TensorData.ToArray<long>(batch.Masks), $"{name}: mask");
            var expected = c.GetProperty("image").Doubles();
            var actual = TensorData.ToArray<float>(batch.Images);
            double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
            Assert.IsTrue(worst < 1e-5, $"{name}: image differs by up to {worst}");
        }
    }

    /// <summary>The fixture's image and mask at every index (so any sample index can be drawn for).</summary>
    private sealed class RepeatedSample(JsonElement twin) : ISegmentationDataset
    {
        private readonly long[] _shape = twin.GetProperty("shape").Longs();
        private readonly float[] _image = twin.GetProperty("image").Longs().Select(v => v / 255f).ToArray();
        private readonly long[] _mask = twin.GetProperty("mask").Longs();

        public int Count => 8;

        public DatasetDescription Description => DatasetDescription.CamVid;

        public SegmentationSample Get(int index) => new(TensorData.FromSpan<float>(_image, _shape),
            TensorData.FromSpan<long>(_mask, [_shape[1], _shape[2]]), $"twin{index}");
    }
}
