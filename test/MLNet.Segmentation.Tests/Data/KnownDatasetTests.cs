using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Data;

/// <summary>Reads the real data in ../shared/datasets; skipped (inconclusive) where that folder is absent.</summary>
[TestClass]
public sealed class KnownDatasetTests
{
    private static string RequireDataset(string name) =>
        KnownDatasets.FindDataset(name) ?? throw new AssertInconclusiveException(
            $"dataset '{name}' not found (set {KnownDatasets.EnvironmentVariable} or provide ../shared/datasets/{name}); skipping");

    [TestMethod]
    public void MembraneHasThirtyGraySlicesWithBinaryMasks()
    {
        string folder = RequireDataset("membrane");
        Assert.AreEqual(30, KnownDatasets.Membrane(MembraneSplit.All, folder).Count);
        var train = KnownDatasets.Membrane(MembraneSplit.Train, folder);
        var validation = KnownDatasets.Membrane(MembraneSplit.Validation, folder);
        Assert.AreEqual(25, train.Count);
        CollectionAssert.AreEqual(new[] { "25", "26", "27", "28", "29" }, validation.Samples.Select(s => s.Name).ToArray());

        using var scope = NewDisposeScope();
        using var sample = train.Get(0);
        CollectionAssert.AreEqual(new long[] { 1, 512, 512 }, sample.Image.shape);
        CollectionAssert.AreEqual(new long[] { 512, 512 }, sample.Mask.shape);
        var ids = TensorData.ToArray<long>(sample.Mask);
        CollectionAssert.AreEquivalent(new long[] { 0, 1 }, ids.Distinct().ToArray());
        double membrane = ids.Count(v => v == 0) / (double)ids.Length;
        Assert.IsTrue(membrane is > 0.1 and < 0.4, $"membrane fraction {membrane}");
    }

    [TestMethod]
    public void CamVidSplitsHaveElevenClassesAndIgnoreId()
    {
        string folder = RequireDataset("camvid");
        var train = KnownDatasets.CamVid(CamVidSplit.Train, folder);
        var validation = KnownDatasets.CamVid(CamVidSplit.Validation, folder);
        Assert.AreEqual(367, train.Count);
        Assert.AreEqual(101, validation.Count);
        Assert.AreEqual(11, train.Description.NumClasses);
        Assert.AreEqual(11L, train.Description.IgnoreIndex);
        Assert.AreEqual(9.6446f, train.Description.ClassWeights![6]);

        using var scope = NewDisposeScope();
        foreach (int index in new[] { 0, 200, 366 })
        {
            using var sample = train.Get(index);
            CollectionAssert.AreEqual(new long[] { 3, 360, 480 }, sample.Image.shape);
            CollectionAssert.AreEqual(new long[] { 360, 480 }, sample.Mask.shape);
            var ids = TensorData.ToArray<long>(sample.Mask);
            Assert.IsTrue(ids.All(v => v is >= 0 and <= 11));
            Assert.IsGreaterThan(3, ids.Distinct().Count());
        }
    }

    [TestMethod]
    public void SharedDatasetsAreFoundFromTheTestFolder()
    {
        string? root = KnownDatasets.FindRoot();
        if (root is null) Assert.Inconclusive("../shared/datasets not found; skipping");
        Assert.IsTrue(File.Exists(Path.Combine(root, "README.md")) || Directory.Exists(Path.Combine(root, "camvid")), root);
    }
}
