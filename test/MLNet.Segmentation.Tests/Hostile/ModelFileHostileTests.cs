using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Inference;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Weights;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Hostile;

[TestClass]
public sealed class ModelFileHostileTests
{
    private static string _dir = "";
    private static ModelFileParts _parts = null!;

    [ClassInitialize]
    public static void Init(TestContext _)
    {
        _dir = Path.Combine(Path.GetTempPath(), "mlseg-hostile-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        _parts = ModelFileParts.TinyUNet(_dir);
    }

    [ClassCleanup]
    public static void Cleanup() => Directory.Delete(_dir, true);

    private static string PathOf(string name) => Path.Combine(_dir, name);

    private static InvalidDataException Rejected(string path, params string[] expected)
    {
        var error = Assert.ThrowsExactly<InvalidDataException>(() => SegmentationModelFile.Load(path).Dispose());
        StringAssert.StartsWith(error.Message, $"model file '{path}': ");
        Assert.IsFalse(error.Message.Contains('\n') || error.Message.Contains('\r'), error.Message);
        foreach (var text in expected) StringAssert.Contains(error.Message, text);
        return error;
    }

    private static ModelFileParts WithManifest(Action<JsonObject> change)
    {
        var json = _parts.ManifestJson();
        change(json);
        return _parts.WithManifest(json);
    }

    // Overwrites the uncompressed size (local header and central directory) of the entry named `entry`.
    private static byte[] PatchUncompressedSize(byte[] zip, string entry, uint size)
    {
        var bytes = (byte[])zip.Clone();
        var name = Encoding.ASCII.GetBytes(entry);
        for (int i = 0; i + 46 < bytes.Length; i++)
        {
            uint signature = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i));
            if (signature == 0x04034b50 && bytes.AsSpan(i + 30, name.Length).SequenceEqual(name))
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + 22), size);
            if (signature == 0x02014b50 && bytes.AsSpan(i + 46, name.Length).SequenceEqual(name))
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i + 24), size);
        }
        return bytes;
    }

    [TestMethod]
    public void AWeightsEntryDeclaringGigabytesIsRefusedFromItsHeaderInMilliseconds()
    {
        string valid = _parts.Write(PathOf("valid-for-patch.zip"));
        foreach (uint size in new uint[] { 0xFFFF_FFF0, 0x8000_0000, 0x6000_0000 })
        {
            string path = PathOf($"claims-{size:x}.zip");
            File.WriteAllBytes(path, PatchUncompressedSize(File.ReadAllBytes(valid), SegmentationModelFile.WeightsEntry, size));
            var memory = PeakMemory.Start();
            var clock = Stopwatch.StartNew();
            Rejected(path, SegmentationModelFile.WeightsEntry, $"declares {size} bytes");
            Assert.IsTrue(clock.ElapsedMilliseconds < 2000, $"{clock.ElapsedMilliseconds} ms");
            Assert.IsTrue(memory.GrowthMiB < 64, $"{memory.GrowthMiB:0} MiB");
        }
    }

    [TestMethod]
    public void AZipBombOfRealZerosIsRefusedBeforeInflating()
    {
        // 256 MiB of zeros after a safetensors length prefix deflate to about 250 KB.
        string path = PathOf("bomb.zip");
        using (var file = File.Create(path))
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
        {
            using (var s = zip.CreateEntry(SegmentationModelFile.ManifestEntry).Open()) s.Write(_parts.Manifest);
            using var w = zip.CreateEntry(SegmentationModelFile.WeightsEntry, CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) w.Write(zeros);
        }
        Assert.IsTrue(new FileInfo(path).Length < 2 << 20);
        var memory = PeakMemory.Start();
        var clock = Stopwatch.StartNew();
        Rejected(path, SegmentationModelFile.WeightsEntry, "ratio above 200:1", "zip bomb");
        Assert.IsTrue(clock.ElapsedMilliseconds < 2000, $"{clock.ElapsedMilliseconds} ms");
        Assert.IsTrue(memory.GrowthMiB < 64, $"{memory.GrowthMiB:0} MiB");
    }

    [TestMethod]
    public void AHugeNetworkInATinyFileIsRefusedBeforeItIsBuilt()
    {
        foreach (var (field, value, expected) in new (string, int, string)[]
        {
            ("BaseWidth", 20000, "options.BaseWidth 20000 is outside 2..1024"),
            ("Depth", 8, "do not match"),      // within the limits, but the weights are those of depth 1: refused from the header
            ("BaseWidth", 1000, "do not match"),
        })
        {
            string path = WithManifest(m => m["options"]![field] = value).Write(PathOf($"huge-{field}-{value}.zip"));
            long tensors = LiveTensors.Settled();
            var memory = PeakMemory.Start();
            var clock = Stopwatch.StartNew();
            Rejected(path, expected);
            Assert.IsTrue(clock.ElapsedMilliseconds < 2000, $"{field} {value}: {clock.ElapsedMilliseconds} ms");
            Assert.IsTrue(memory.GrowthMiB < 64, $"{field} {value}: {memory.GrowthMiB:0} MiB");
            Assert.AreEqual(tensors, Tensor.TotalCount, "no network was built");
        }
    }

    [TestMethod]
    public void WeightMismatchesAreOneLineWithCountsAndTheFirstName()
    {
        string path = WithManifest(m => m["options"]!["BaseWidth"] = 4).Write(PathOf("wider.zip"));
        var error = Rejected(path, SegmentationModelFile.WeightsEntry, "the weights do not match the manifest's unet options",
            "of another shape or dtype (first 'encoder.0.0.weight' is [2, 3, 3, 3], expected [4, 3, 3, 3])");
        Assert.IsFalse(error.Message.Contains("Actual value"), error.Message);

        var (header, data) = _parts.SplitWeights();
        header["extra.weight"] = header["classifier.bias"]!.DeepClone();
        header.Remove("classifier.bias");
        string renamed = (_parts with { Weights = ModelFileParts.JoinWeights(header, data) }).Write(PathOf("renamed.zip"));
        Rejected(renamed, "1 missing (first 'classifier.bias')", "1 unexpected (first 'extra.weight')");
    }

    [TestMethod]
    public void ManifestFieldsAreCheckedAndNamed()
    {
        (Action<JsonObject> Change, string Expected)[] cases =
        [
            (m => m["class_names"] = new JsonArray(null, "b"), "class_names[0] is null"),
            (m => m["class_names"] = new JsonArray("a", ""), "class_names[1] is empty"),
            (m => m["class_names"] = new JsonArray("a", "a"), "class_names[1] 'a' repeats an earlier class name"),
            (m => m["class_names"] = new JsonArray("a", "line\nbreak"), "class_names[1] 'line\\u000abreak' is longer than 256 characters or has control characters"),
            (m => m["class_colors"] = new JsonArray("#000000", "red\r\n"), "class_colors[1] 'red\\u000d\\u000a' is not #rrggbb"),
            (m => m["num_classes"] = 300, "num_classes 300 is outside 1..256 (predicted masks are 8-bit PNGs)"),
            (m => m["background_class"] = 5, "background_class 5 is outside 0..1"),
            (m => m["in_channels"] = 1, "mean/std must both be given with 1 values each"),
            (m => m["architecture"] = "unet\nx", "unknown architecture 'unet\\u000ax'"),
            (m => m["options"]!["Padding"] = 7, "options.Padding 7 must be one of Same, Valid"),
            (m => m["options"]!["InChannels"] = 1, "options.InChannels 1 disagrees with in_channels 3"),
            (m => m["tile_size"] = new JsonArray(0, 64), "tile_size must be two integers in 1..65536"),
            (m => m.Remove("num_classes"), "not valid JSON of a model manifest"),
        ];
        for (int k = 0; k < cases.Length; k++)
        {
            string path = WithManifest(cases[k].Change).Write(PathOf($"manifest-{k}.zip"));
            Rejected(path, SegmentationModelFile.ManifestEntry, cases[k].Expected);
            Assert.ThrowsExactly<InvalidDataException>(() => SegmentationModelFile.ReadManifest(path));
        }
    }

    [TestMethod]
    public void AManifestWithMoreClassesThanAMaskCanStoreIsRefusedAtLoad()
    {
        // A 300-class U-Net whose weights match: Save refuses it, so the file is put together by hand.
        random.manual_seed(2);
        using var model = new UNet(300, new UNetOptions { BaseWidth = 2, Depth = 1 });
        var weights = new MemoryStream();
        using (var state = model.StateDictOf()) SafeTensors.Write(weights, state);
        var manifest = _parts.ManifestJson();
        manifest["num_classes"] = 300;
        manifest["class_names"] = new JsonArray(Enumerable.Range(0, 300).Select(i => (JsonNode?)JsonValue.Create($"c{i}")).ToArray());
        manifest["class_colors"] = new JsonArray(Enumerable.Range(0, 300).Select(_ => (JsonNode?)JsonValue.Create("#000000")).ToArray());
        string path = (_parts.WithManifest(manifest) with { Weights = weights.ToArray() }).Write(PathOf("300-classes.zip"));
        Rejected(path, "num_classes 300 is outside 1..256");
        Assert.ThrowsExactly<InvalidDataException>(() => SegmentationModelFile.Save(PathOf("never.zip"), model, ModelFileParts.ManifestFor(300)));
        Assert.IsFalse(File.Exists(PathOf("never.zip")));
    }

    [TestMethod]
    public void NonFiniteWeightsAreRefusedAtLoadNamingTheTensor()
    {
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity })
        {
            random.manual_seed(5);
            using var model = new UNet(2, new UNetOptions { BaseWidth = 2, Depth = 1 });
            using (no_grad()) model.state_dict()["decoder.0.conv.3.weight"][0, 0, 1, 1] = bad;
            string path = PathOf($"nonfinite-{bad}.zip");
            SegmentationModelFile.Save(path, model, ModelFileParts.ManifestFor(2));
            Rejected(path, SegmentationModelFile.WeightsEntry, "tensor 'decoder.0.conv.3.weight' has non-finite values (NaN or infinity)");
        }
    }

    [TestMethod]
    public void SafetensorsHeaderProblemsAreNamedWithTheEntry()
    {
        var (header, data) = _parts.SplitWeights();
        (string Name, byte[] Weights, string Expected)[] cases =
        [
            ("length", ModelFileParts.JoinWeights(header, data, 1UL << 40), "declared header length 1099511627776 exceeds the 16777216-byte limit"),
            ("short", ModelFileParts.JoinWeights(header, data, 4), "not valid JSON"),
            ("truncated", _parts.Weights[..^10], "truncated"),
            ("trailing", [.. _parts.Weights, 1, 2, 3, 4], "trailing bytes"),
            ("tiny", [1, 2, 3], "fewer than the 8-byte header length"),
        ];
        foreach (var (name, weights, expected) in cases)
        {
            string path = (_parts with { Weights = weights }).Write(PathOf($"header-{name}.zip"));
            Rejected(path, SegmentationModelFile.WeightsEntry, expected);
        }
    }

    [TestMethod]
    public void ADirectoryAsModelFileIsNamedAsSuch()
    {
        string directory = PathOf("a-folder.mlseg.zip");
        Directory.CreateDirectory(directory);
        Rejected(directory, "is a directory, not a model file");
        StringAssert.Contains(Assert.ThrowsExactly<FileNotFoundException>(() => SegmentationModelFile.Load(PathOf("missing.zip"))).Message, "does not exist");
    }

    [TestMethod]
    public void LoadingStreamsTheWeightsWithoutAWholeEntryBuffer()
    {
        // About 31 MB of float32 weights: inflating the entry into a buffer and then a state dict beside the network
        // would hold three copies; streaming holds the network and one tensor.
        random.manual_seed(6);
        string path = PathOf("streamed.zip");
        long bytes;
        using (var model = new UNet(2, new UNetOptions { BaseWidth = 32, Depth = 4 }))
        {
            bytes = model.ParameterCount() * 4;
            SegmentationModelFile.Save(path, model, ModelFileParts.ManifestFor(2));
        }
        using (var loaded = SegmentationModelFile.Load(path))
            Assert.AreEqual(32L, ((UNet)loaded.Model).Options.BaseWidth);
        var (exitCode, output, error) = ChildProcess.RunTestAssembly(LoadPeakJob.Job, path);
        Assert.AreEqual(0, exitCode, error);
        long growth = long.Parse(output.Trim().Split('\n')[^1], System.Globalization.CultureInfo.InvariantCulture);
        double ratio = growth / (double)bytes;
        Console.WriteLine($"peak grew {growth >> 20} MiB for {bytes >> 20} MiB of weights ({ratio:0.00}x)");
        Assert.IsTrue(ratio > 0.8, $"the network itself must show: {ratio:0.00}x");
        Assert.IsTrue(ratio < 1.9, $"peak grew {growth >> 20} MiB for {bytes >> 20} MiB of weights ({ratio:0.00}x)");
    }

    [TestMethod]
    public void ALoadedModelPredictsAndNonFiniteLogitsAreAnError()
    {
        string path = _parts.Write(PathOf("predicts.zip"));
        using var loaded = SegmentationModelFile.Load(path);
        var predictor = new SegmentationPredictor(loaded.Model, new PredictorOptions { Mean = loaded.Manifest.Mean, Std = loaded.Manifest.Std });
        using var scope = NewDisposeScope();
        using (var prediction = predictor.Predict(rand(1, 3, 16, 16)))
            Assert.IsTrue(prediction.Probabilities.isfinite().all().item<bool>());
        var nan = full(1, 3, 16, 16, float.NaN);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => predictor.Predict(nan).Dispose());
        StringAssert.Contains(error.Message, "non-finite values (NaN or infinity)");
        Assert.IsFalse(error.Message.Contains('\n'));
    }
}
