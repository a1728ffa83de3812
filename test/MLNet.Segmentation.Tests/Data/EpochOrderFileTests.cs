using MLNet.Segmentation.Data;

namespace MLNet.Segmentation.Tests.Data;

/// <summary>Per-epoch order files (EpochOrderFile) and the DataLoader's fixed orders (DataLoaderOptions.EpochOrders).</summary>
[TestClass]
public sealed class EpochOrderFileTests
{
    private static readonly SyntheticShapesDataset Shapes = new(count: 6, height: 16, width: 16, seed: 2);

    private static string TempFile(string text)
    {
        string path = Path.Combine(Path.GetTempPath(), "mlseg-orders-" + Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllText(path, text);
        return path;
    }

    [TestMethod]
    public void ReadsWhatMakeOrdersWrote()
    {
        // camvid_orders.txt and camvid_twin.json are both written by build/camvid/make_orders.py (through the fixture script).
        var expected = Fixture.Load("Data", "camvid_twin.json").GetProperty("orders").GetProperty("epochs").EnumerateArray()
            .Select(e => e.Longs().Select(v => (int)v).ToArray()).ToArray();
        var orders = EpochOrderFile.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Data", "camvid_orders.txt"), 10);
        Assert.AreEqual(3, orders.Count);
        for (int e = 0; e < 3; e++) CollectionAssert.AreEqual(expected[e], orders[e], $"epoch {e}");
        CollectionAssert.AreEqual(new[] { 9, 0, 2, 1, 4, 3, 7, 6, 5, 8 }, orders[0]);
    }

    [TestMethod]
    public void WriteThenReadRoundTripsAndSkipsCommentsAndBlankLines()
    {
        string path = Path.Combine(Path.GetTempPath(), "mlseg-orders-" + Guid.NewGuid().ToString("N") + ".txt");
        try
        {
            EpochOrderFile.Write(path, [[2, 0, 1], [1, 2, 0]], "two epochs\nof three");
            Assert.AreEqual("# two epochs of three\n2 0 1\n1 2 0\n", File.ReadAllText(path));
            File.AppendAllText(path, "\n   \n# more\n0 1 2\n");
            var orders = EpochOrderFile.Read(path, 3);
            Assert.AreEqual(3, orders.Count);
            CollectionAssert.AreEqual(new[] { 0, 1, 2 }, orders[2]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    [DataRow("0 1 2\n0 x 2\n", "line 2: 'x' is not a sample index")]
    [DataRow("0 1 -2\n", "line 1: '-2' is not a sample index")]
    [DataRow("# c\n0 1 1\n", "line 2: index 1 appears twice")]
    [DataRow("0 1 3\n", "line 1: index 3 is outside 0..2")]
    [DataRow("0 1\n", "line 1: 2 indices where the dataset has 3 samples")]
    [DataRow("# nothing\n", "no epoch order in the file")]
    public void BadFilesNameTheFileAndLine(string text, string message)
    {
        string path = TempFile(text);
        try
        {
            var error = Assert.ThrowsExactly<InvalidDataException>(() => EpochOrderFile.Read(path, 3));
            StringAssert.Contains(error.Message, path);
            StringAssert.Contains(error.Message, message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void LoaderVisitsTheGivenOrdersAndRefusesAnEpochPastThem()
    {
        int[][] orders = [[5, 4, 3, 2, 1, 0], [0, 2, 4, 1, 3, 5]];
        var loader = new DataLoader(Shapes, new DataLoaderOptions { BatchSize = 4, Workers = 0, Seed = 1, EpochOrders = orders });
        for (int e = 0; e < 2; e++)
        {
            var seen = new List<int>();
            foreach (var batch in loader.Epoch(e)) using (batch) seen.AddRange(batch.Indices);
            CollectionAssert.AreEqual(orders[e], seen.ToArray(), $"epoch {e}");
            CollectionAssert.AreEqual(orders[e], loader.EpochOrder(e));
        }
        var past = Assert.ThrowsExactly<InvalidOperationException>(() => loader.EpochOrder(2));
        StringAssert.Contains(past.Message, "epoch 3 has no order: the 2 given epoch orders are used up");

        var error = Assert.ThrowsExactly<ArgumentException>(() =>
            new DataLoader(Shapes, new DataLoaderOptions { EpochOrders = [[0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 4]] }));
        StringAssert.Contains(error.Message, "epoch order 2: index 4 appears twice");
    }
}
