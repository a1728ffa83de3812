using System.IO.Compression;
using System.Text;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Models.Backbones;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.ModelFiles;

[TestClass]
public sealed class SegmentationModelFileTests
{
    private static string _dir = "";

    [ClassInitialize]
    public static void Init(TestContext _)
    {
        _dir = Path.Combine(Path.GetTempPath(), "mlseg-modelfile-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [ClassCleanup]
    public static void Cleanup() => Directory.Delete(_dir, true);

    private static ModelManifest Manifest(int classes) => new()
    {
        Architecture = "",
        Options = default,
        NumClasses = classes,
        InChannels = 3,
        ClassNames = Enumerable.Range(0, classes).Select(i => $"class{i}").ToArray(),
        ClassColors = Enumerable.Range(0, classes).Select(i => $"#{i * 40:x2}0000").ToArray(),
        IgnoreIndex = 255,
        Mean = [0.5f, 0.5f, 0.5f],
        Std = [0.25f, 0.25f, 0.25f],
        TileSize = [64, 64],
    };

    private static IEnumerable<SegmentationModel> SmallModels()
    {
        random.manual_seed(1);
        yield return new UNet(3, new UNetOptions { BaseWidth = 4, Depth = 2 });
        yield return new Fcn(3, new FcnOptions { WidthDivisor = 16, FullyConvolutionalWidth = 32, Variant = FcnVariant.Fcn16s });
        yield return new SegNet(3, new SegNetOptions { WidthDivisor = 16 });
        yield return new DeconvNet(3, new DeconvNetOptions { WidthDivisor = 16, FullyConvolutionalWidth = 32 });
        yield return new DeepLabV3(3, new DeepLabV3Options { Backbone = ResNetDepth.ResNet18, BackboneWidth = 8, AsppChannels = 16 });
        yield return new DeepLabV3Plus(3, new DeepLabV3PlusOptions { Backbone = ResNetDepth.ResNet18, BackboneWidth = 8, AsppChannels = 16, LowLevelChannels = 8, DecoderChannels = 16 });
    }

    [TestMethod]
    public void EveryArchitectureRoundTripsWithIdenticalOutputs()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(2);
        var input = rand([1, 3, 37, 45], generator: g);
        foreach (var model in SmallModels())
        {
            using (model)
            {
                model.eval();
                string path = Path.Combine(_dir, model.GetType().Name + ".mlseg.zip");
                SegmentationModelFile.Save(path, model, Manifest(3));
                using var loaded = SegmentationModelFile.Load(path);
                Assert.AreEqual(model.GetType(), loaded.Model.GetType());
                Assert.AreEqual(3, loaded.Manifest.NumClasses);
                CollectionAssert.AreEqual(new[] { "class0", "class1", "class2" }, loaded.Manifest.ClassNames.ToArray());
                Assert.AreEqual(255L, loaded.Manifest.IgnoreIndex);
                using (no_grad())
                    Assert.IsTrue(model.call(input).equal(loaded.Model.call(input)).all().item<bool>(), model.Architecture);
            }
        }
        Assert.AreEqual(0, Directory.GetFiles(_dir, "*.tmp").Length);
    }

    private static string Zip(string name, params (string Entry, byte[] Data)[] entries)
    {
        string path = Path.Combine(_dir, name);
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        foreach (var (entry, data) in entries)
            using (var s = zip.CreateEntry(entry).Open()) s.Write(data);
        return path;
    }

    private static (byte[] Manifest, byte[] Weights) ValidParts()
    {
        random.manual_seed(3);
        using var model = new UNet(2, new UNetOptions { BaseWidth = 4, Depth = 2 });
        string path = Path.Combine(_dir, "valid-" + Guid.NewGuid().ToString("N") + ".zip");
        SegmentationModelFile.Save(path, model, Manifest(2));
        using var zip = ZipFile.OpenRead(path);
        byte[] Read(string entry)
        {
            using var s = zip.GetEntry(entry)!.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        }
        return (Read(SegmentationModelFile.ManifestEntry), Read(SegmentationModelFile.WeightsEntry));
    }

    private static void AssertRejected(string path, string expected)
    {
        var error = Assert.ThrowsExactly<InvalidDataException>(() => SegmentationModelFile.Load(path));
        StringAssert.Contains(error.Message, path);
        StringAssert.Contains(error.Message, expected);
    }

    [TestMethod]
    public void TamperedOrCorruptFilesAreRejectedWithTheFileAndTheProblem()
    {
        var (manifest, weights) = ValidParts();
        string text = Encoding.UTF8.GetString(manifest);

        AssertRejected(Zip("traversal.zip", ("manifest.json", manifest), ("weights.safetensors", weights), ("../../etc/evil", [1])), "path-traversal");
        AssertRejected(Zip("extra.zip", ("manifest.json", manifest), ("weights.safetensors", weights), ("notes.txt", [1])), "unexpected entry 'notes.txt'");
        AssertRejected(Zip("noweights.zip", ("manifest.json", manifest)), "no weights.safetensors");
        AssertRejected(Zip("badjson.zip", ("manifest.json", Encoding.UTF8.GetBytes("{ not json")), ("weights.safetensors", weights)), "not valid JSON");
        AssertRejected(Zip("unknown.zip", ("manifest.json", Encoding.UTF8.GetBytes(text.Replace("\"unet\"", "\"unet9000\""))), ("weights.safetensors", weights)),
            "unknown architecture 'unet9000'");
        AssertRejected(Zip("names.zip", ("manifest.json", Encoding.UTF8.GetBytes(text.Replace("\"num_classes\": 2", "\"num_classes\": 3"))), ("weights.safetensors", weights)),
            "class_names has 2 entries for 3 classes");
        // Options asking for a wider network than the weights: the mismatched tensors are named.
        AssertRejected(Zip("shape.zip", ("manifest.json", Encoding.UTF8.GetBytes(text.Replace("\"BaseWidth\": 4", "\"BaseWidth\": 8"))), ("weights.safetensors", weights)),
            "encoder");
        AssertRejected(Zip("truncated.zip", ("manifest.json", manifest), ("weights.safetensors", weights[..(weights.Length / 2)])), "truncated");

        string garbage = Path.Combine(_dir, "garbage.zip");
        File.WriteAllBytes(garbage, Encoding.UTF8.GetBytes("this is not a zip file at all"));
        AssertRejected(garbage, "not a readable zip");
        Assert.ThrowsExactly<FileNotFoundException>(() => SegmentationModelFile.Load(Path.Combine(_dir, "missing.zip")));
    }
}
