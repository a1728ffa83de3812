using MLNet.Segmentation.Engine;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Onnx;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;
using M = MLNet.Segmentation.Tests.Onnx.OnnxTestModels;

namespace MLNet.Segmentation.Tests.Onnx;

/// <summary>
/// Every architecture of the catalog exported to ONNX and run by ONNX Runtime (all graph optimizations, CPU) against
/// TorchSharp's eval-mode logits: fixed-size exports at a size that is a multiple of the strides and one that is not,
/// and one dynamic-size export at both, each at batch 1 and 3.
/// </summary>
[TestClass]
public sealed class OnnxExportTests
{
    // Class ids must agree on 99.9% of the pixels, and wherever they differ the two best logits must be tied within the
    // logits' measured difference (one near tie in a 70 x 45 x 3 batch is already 0.01%).
    private const double Tolerance = 1e-4, FoldedTolerance = 1e-3, Agreement = 0.999;
    private static readonly (int H, int W)[] Sizes = [(64, 64), (70, 45)];
    private static string _dir = "";

    public TestContext TestContext { get; set; } = null!;

    public static IEnumerable<object[]> Architectures =>
        ModelCatalog.Entries.Where(e => !e.Name.Contains("autoencoder", StringComparison.Ordinal)).Select(e => new object[] { e.Name });

    [ClassInitialize]
    public static void Init(TestContext _)
    {
        _dir = Path.Combine(Path.GetTempPath(), "mlseg-onnx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [ClassCleanup]
    public static void Cleanup() => Directory.Delete(_dir, true);

    private static string PathFor(string name) => Path.Combine(_dir, name + ".onnx");

    /// <summary>Images in [0, 1], batch 3, and the torch reference at batch 3 and at batch 1 (the first image).</summary>
    private sealed record Case(int H, int W, float[] Batch3, float[] Batch1, (float[] Logits, long[] Ids) Torch3, (float[] Logits, long[] Ids) Torch1);

    private static Case MakeCase(SegmentationModel model, int h, int w, long seed, Func<Tensor, Tensor>? preprocess = null)
    {
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        var images = M.Images(3, h, w, generator);
        var first = images.narrow(0, 0, 1);
        preprocess ??= x => x;
        return new Case(h, w, TensorData.ToArray<float>(images), TensorData.ToArray<float>(first.contiguous()),
            M.Torch(model, preprocess(images)), M.Torch(model, preprocess(first)));
    }

    // The classes the torch references predicted in the current test: a network predicting one class everywhere would
    // make the class-id comparison weak (checked after each test).
    private readonly HashSet<long> _classesSeen = [];

    [TestCleanup]
    public void EachTestComparedVariedPredictions()
    {
        // FCN-32s at 1/16 width scores only 2 x 2 or 3 x 2 positions at these sizes: its random scores do not vary enough.
        if (_classesSeen.Count > 0 && !TestContext.TestDisplayName!.Contains("fcn-32s", StringComparison.Ordinal))
            Assert.IsGreaterThan(1, _classesSeen.Count, "the networks predicted one class everywhere: a weak class-id comparison");
    }

    private double Check(string label, InferenceSession session, Case c, double tolerance)
    {
        double worst = 0;
        foreach (var (batch, images, torch) in new[] { (3, c.Batch3, c.Torch3), (1, c.Batch1, c.Torch1) })
        {
            var ort = M.Ort(session, images, [batch, 3, c.H, c.W]);
            CollectionAssert.AreEqual(new long[] { batch, M.Classes, c.H, c.W }, ort.LogitsShape, $"{label} logits shape");
            CollectionAssert.AreEqual(new long[] { batch, c.H, c.W }, ort.ClassIdsShape, $"{label} class_ids shape");
            double error = M.RelativeError(torch.Logits, ort.Logits);
            var (agreement, onlyTies) = M.Agreement(torch.Ids, ort.ClassIds, torch.Logits, ort.Logits, M.Classes, (long)c.H * c.W);
            int classesSeen = torch.Ids.Distinct().Count();
            TestContext.WriteLine($"{label} {c.H}x{c.W} batch {batch}: max rel error {error:E2}, class ids agree {agreement:P4} ({classesSeen} classes predicted)");
            _classesSeen.UnionWith(torch.Ids);
            Assert.IsLessThanOrEqualTo(tolerance, error, $"{label} {c.H}x{c.W} batch {batch}: relative error");
            Assert.IsTrue(onlyTies, $"{label} {c.H}x{c.W} batch {batch}: class ids differ where the logits are not tied");
            Assert.IsGreaterThanOrEqualTo(Agreement, agreement, $"{label} {c.H}x{c.W} batch {batch}: class ids");
            worst = Math.Max(worst, error);
        }
        return worst;
    }

    private static InferenceSession Session(string path) =>
        new(path, new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL });

    [TestMethod]
    [DynamicData(nameof(Architectures))]
    public void EveryArchitectureMatchesTorchSharpAtFixedAndDynamicSizes(string name)
    {
        using var model = M.Create(name, 21);
        var cases = Sizes.Select((s, i) => MakeCase(model, s.H, s.W, 100 + i)).ToArray();
        double worst = 0;
        foreach (var c in cases)
        {
            string path = PathFor($"{name}-{c.H}x{c.W}");
            OnnxExporter.Export(model, M.Manifest(), path, new OnnxExportOptions { Height = c.H, Width = c.W });
            using var session = Session(path);
            CollectionAssert.AreEqual(new[] { -1, 3, c.H, c.W }, session.InputMetadata["image"].Dimensions, "fixed input dims");
            worst = Math.Max(worst, Check($"{name} fixed", session, c, Tolerance));
        }
        string dynamicPath = PathFor($"{name}-dynamic");
        OnnxExporter.Export(model, M.Manifest(), dynamicPath, new OnnxExportOptions { DynamicSize = true });
        using (var session = Session(dynamicPath))
        {
            CollectionAssert.AreEqual(new[] { "N", "", "H", "W" }, session.InputMetadata["image"].SymbolicDimensions, "dynamic input dims");
            foreach (var c in cases) worst = Math.Max(worst, Check($"{name} dynamic", session, c, Tolerance));
        }
        TestContext.WriteLine($"RESULT {name}: worst max relative error {worst:E2}");
    }

    [TestMethod]
    [DataRow("unet")]
    [DataRow("unet-valid")]
    [DataRow("segnet")]
    [DataRow("deconvnet")]
    [DataRow("deeplabv3plus-resnet18")]
    [DataRow("deeplabv3-resnet50")]
    public void FoldedBatchNormMatchesTorchSharpAndLeavesNoBatchNormNode(string name)
    {
        using var model = M.Create(name, 22);
        var c = MakeCase(model, 70, 45, 7);
        string path = PathFor($"{name}-folded");
        OnnxExporter.Export(model, M.Manifest(), path, new OnnxExportOptions { DynamicSize = true, FoldBatchNorm = true });
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.IsFalse(proto.Graph.Node.Any(n => n.OpType == "BatchNormalization"), "a BatchNormalization node is left");
        using var session = Session(path);
        double worst = Check($"{name} folded", session, c, FoldedTolerance);
        TestContext.WriteLine($"RESULT {name} folded: worst max relative error {worst:E2}");
    }

    [TestMethod]
    [DataRow("unet-valid", 13)]
    [DataRow("segnet", 13)]
    [DataRow("deconvnet", 14)]
    [DataRow("fcn-8s", 15)]
    [DataRow("deeplabv3-resnet18", 18)]
    [DataRow("unet-bilinear", 19)]
    [DataRow("deeplabv3plus-resnet34", 21)]
    [DataRow("segnet", 21)]
    public void OtherOpsetsGiveTheSameNetwork(string name, int opset)
    {
        using var model = M.Create(name, 23);
        var c = MakeCase(model, 70, 45, 8);
        string path = PathFor($"{name}-opset{opset}");
        OnnxExporter.Export(model, M.Manifest(), path, new OnnxExportOptions { DynamicSize = true, Opset = opset });
        var proto = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.AreEqual(opset, proto.OpsetImport.Single().Version);
        using var session = Session(path);
        Check($"{name} opset {opset}", session, c, Tolerance);
    }

    /// <summary>Tiny and odd sizes: U-Net valid's mirror padding then takes many reflect steps (computed in the graph).</summary>
    [TestMethod]
    public void UNetValidDynamicExportHandlesTinyInputs()
    {
        using var model = M.Create("unet-valid", 24);
        string path = PathFor("unet-valid-tiny");
        OnnxExporter.Export(model, M.Manifest(), path, new OnnxExportOptions { DynamicSize = true });
        using var session = Session(path);
        foreach (var (h, w) in new[] { (2, 2), (7, 5), (3, 17), (33, 2) })
            Check("unet-valid dynamic", session, MakeCase(model, h, w, h * 100 + w), Tolerance);
    }

    /// <summary>DeepLab v3+ over TorchSharp's TorchVision ResNet-18 (torchvision-layout residual blocks, plain Conv2d layers).</summary>
    [TestMethod]
    public void ATorchVisionBackboneExports()
    {
        random.manual_seed(29);
        var resnet = TorchSharp.torchvision.models.resnet18();
        using var model = new DeepLabV3Plus(M.Classes, MLNet.Segmentation.Models.Backbones.ResNetBackbone.FromTorchVision(resnet),
            new DeepLabV3PlusOptions { Backbone = MLNet.Segmentation.Models.Backbones.ResNetDepth.ResNet18, AsppChannels = 16, LowLevelChannels = 8, DecoderChannels = 16 });
        model.eval();
        using (var generator = new TorchSharp.torch.Generator(30)) M.Calibrate(model, generator);
        var c = MakeCase(model, 70, 45, 11);
        string path = PathFor("torchvision-deeplabv3plus");
        OnnxExporter.Export(model, M.Manifest(), path, new OnnxExportOptions { DynamicSize = true });
        using var session = Session(path);
        Check("deeplabv3plus on torchvision resnet18", session, c, Tolerance);
    }

    [TestMethod]
    public void ValidUNetSizesHaveTheClosedFormTheGraphUses()
    {
        var g = new OnnxGraphBuilder(17, false);
        for (int depth = 1; depth <= 5; depth++)
        {
            long margin = UNetOnnx.ValidMargin(depth);
            for (long output = 1; output <= 700; output++)
            {
                long input = UNet.ValidInputSize(output, depth);
                Assert.AreEqual(input, UNetOnnx.ValidInputSize(g, OnnxDim.Of(output), depth).Known, $"depth {depth}, output {output}");
                Assert.AreEqual(margin, (input - UNet.ValidOutputSize(input, depth)) / 2, $"margin at depth {depth}, output {output}");
                Assert.IsLessThanOrEqualTo(7L << depth, input - output - margin, "bottom pad bound");
            }
        }
        Assert.IsEmpty(g.Graph.Node, "known sizes are computed at export time");
    }

    [TestMethod]
    public void NormalizationFromTheManifestIsInsideTheGraph()
    {
        float[] mean = [0.485f, 0.456f, 0.406f], std = [0.229f, 0.224f, 0.225f];
        using var model = M.Create("unet-bilinear", 25);
        using var meanT = tensor(mean).reshape(1, 3, 1, 1);
        using var stdT = tensor(std).reshape(1, 3, 1, 1);
        var c = MakeCase(model, 70, 45, 9, x => (x - meanT) / stdT);
        string path = PathFor("unet-bilinear-normalized");
        OnnxExporter.Export(model, M.Manifest(mean, std), path, new OnnxExportOptions { DynamicSize = true });
        using var session = Session(path);
        Check("unet-bilinear normalized", session, c, Tolerance);
        // Without the normalization the same images give other logits: the graph really normalizes.
        var unnormalized = MakeCase(model, 70, 45, 9);
        var ort = M.Ort(session, unnormalized.Batch1, [1, 3, 70, 45]);
        Assert.IsGreaterThan(1e-2, M.RelativeError(unnormalized.Torch1.Logits, ort.Logits));
    }

    [TestMethod]
    public void MetadataCarriesTheManifestAndTheContract()
    {
        using var model = M.Create("deeplabv3-resnet18", 26);
        float[] mean = [0.5f, 0.4f, 0.3f], std = [0.2f, 0.25f, 0.3f];
        string path = PathFor("deeplab-metadata");
        OnnxExporter.Export(model, M.Manifest(mean, std, tile: [48, 40]), path);
        using var session = Session(path);
        var meta = session.ModelMetadata;
        Assert.AreEqual("MLNet.Segmentation", meta.ProducerName);
        var map = meta.CustomMetadataMap;
        Assert.AreEqual("""["background","road","car","sky"]""", map["class_names"]);
        Assert.AreEqual("""["#000000","#808080","#ff0000","#0000ff"]""", map["class_colors"]);
        Assert.AreEqual("255", map["ignore_index"]);
        Assert.AreEqual("0", map["background_class"]);
        CollectionAssert.AreEqual(mean, System.Text.Json.JsonSerializer.Deserialize<float[]>(map["mean"]));
        CollectionAssert.AreEqual(std, System.Text.Json.JsonSerializer.Deserialize<float[]>(map["std"]));
        Assert.AreEqual("4", map["num_classes"]);
        Assert.AreEqual("deeplabv3", map["architecture"]);
        Assert.AreEqual("48", map["input_height"]);
        Assert.AreEqual("40", map["input_width"]);
        Assert.StartsWith("image: float32 NCHW RGB in [0,1]; normalization inside the graph", map["input_contract"]);
        var manifest = System.Text.Json.JsonSerializer.Deserialize<ModelManifest>(map["mlseg.manifest"], ArchitectureRegistry.JsonOptions)!;
        manifest.Validate();
        Assert.AreEqual("deeplabv3", manifest.Architecture);
        CollectionAssert.AreEqual(new[] { "background", "road", "car", "sky" }, manifest.ClassNames.ToArray());
        CollectionAssert.AreEqual(new[] { 48, 40 }, manifest.TileSize);
        var (options, _) = ArchitectureRegistry.Plan(manifest.Architecture, manifest.NumClasses, manifest.InChannels, manifest.Options);
        Assert.AreEqual(((DeepLabV3)model).Options.AsppChannels, ((DeepLabV3Options)options).AsppChannels);
        // The tile size is the default fixed size.
        CollectionAssert.AreEqual(new[] { -1, 3, 48, 40 }, session.InputMetadata["image"].Dimensions);
    }

    [TestMethod]
    public void AModelFileExportsAtItsTileSize()
    {
        using var model = M.Create("segnet", 27);
        string modelPath = Path.Combine(_dir, "segnet.mlseg"), onnxPath = PathFor("segnet-from-file");
        SegmentationModelFile.Save(modelPath, model, M.Manifest(tile: [40, 52]));
        SegmentationModelFile.ExportOnnx(modelPath, onnxPath);
        using var loaded = SegmentationModelFile.Load(modelPath);
        var c = MakeCase(loaded.Model, 40, 52, 10);
        using var session = Session(onnxPath);
        Check("segnet from file", session, c, Tolerance);
        Assert.ThrowsExactly<OnnxRuntimeException>(() => M.Ort(session, c.Batch1.Concat(c.Batch1).ToArray(), [1, 3, 80, 52]));
    }

    [TestMethod]
    public void BadOptionsAndUnsupportedNetworksAreRefusedAndWriteNothing()
    {
        using var model = M.Create("unet", 28);
        string path = PathFor("refused");
        foreach (int opset in new[] { 12, 22 })
        {
            var e = Assert.ThrowsExactly<ArgumentException>(() => OnnxExporter.Export(model, M.Manifest(), path, new OnnxExportOptions { Opset = opset, DynamicSize = true }));
            Assert.Contains("Opset", e.Message);
        }
        var noSize = Assert.ThrowsExactly<ArgumentException>(() => OnnxExporter.Export(model, M.Manifest(), path));
        Assert.Contains("Height", noSize.Message);
        var noWidth = Assert.ThrowsExactly<ArgumentException>(() => OnnxExporter.Export(model, M.Manifest(), path, new OnnxExportOptions { Height = 32 }));
        Assert.Contains("Width", noWidth.Message);
        var both = Assert.ThrowsExactly<ArgumentException>(() => OnnxExporter.Export(model, M.Manifest(), path, new OnnxExportOptions { DynamicSize = true, Height = 32 }));
        Assert.Contains("DynamicSize", both.Message);
        foreach (string name in new[] { "autoencoder", "denoising-autoencoder" })
        {
            random.manual_seed(1);
            using var autoencoder = ModelCatalog.Create(name, new ModelBuildSettings(M.Classes, 3, 16));
            var e = Assert.ThrowsExactly<NotSupportedException>(() => OnnxExporter.Export(autoencoder, M.Manifest(), path, new OnnxExportOptions { DynamicSize = true }));
            Assert.Contains(autoencoder.GetType().Name, e.Message);
        }
        Assert.IsFalse(File.Exists(path), "nothing is written for a refused export");
    }
}
