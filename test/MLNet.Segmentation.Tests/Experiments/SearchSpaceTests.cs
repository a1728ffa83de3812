using MLNet.Segmentation.Experiments;
using MLNet.Segmentation.Training;

namespace MLNet.Segmentation.Tests.Experiments;

[TestClass]
public sealed class SearchSpaceTests
{
    [TestMethod]
    public void LogUniformRangeMapsDrawsOntoTheLogScaleWithinItsBounds()
    {
        var range = SearchRange.LogUniform(1e-4, 1e-2, 1e-3);
        Assert.AreEqual(1e-4, range.ValueAt(0));
        Assert.AreEqual(1e-2, range.ValueAt(1));
        Assert.AreEqual(1e-3, range.ValueAt(0.5), 1e-15);
        Assert.AreEqual(Math.Pow(10, -3.5), range.ValueAt(0.25), 1e-17);
        CollectionAssert.AreEqual(new[] { 1e-4, 1e-3, 1e-2 }, Enumerable.Range(0, 3).Select(range.GridValue).Select(v => Math.Round(v, 12)).ToArray());

        // Uniform in log10: a quarter of the draws below 10^-3.5, half below 10^-3; none outside the bounds.
        var random = new Random(1);
        var values = Enumerable.Range(0, 20_000).Select(_ => range.ValueAt(random.NextDouble())).ToArray();
        Assert.IsTrue(values.All(v => v >= 1e-4 && v <= 1e-2));
        Assert.AreEqual(0.25, values.Count(v => v < Math.Pow(10, -3.5)) / 20_000.0, 0.01);
        Assert.AreEqual(0.5, values.Count(v => v < 1e-3) / 20_000.0, 0.01);

        var linear = SearchRange.Uniform(0, 1, 0.5, gridPoints: 5);
        CollectionAssert.AreEqual(new[] { 0, 0.25, 0.5, 0.75, 1 }, Enumerable.Range(0, 5).Select(linear.GridValue).ToArray());
        Assert.AreEqual(0.3, linear.ValueAt(0.3), 1e-15);
    }

    [TestMethod]
    public void ChoiceDrawsEachValueForItsShareOfTheUnitInterval()
    {
        var choice = new SearchChoice<int>(2, 4, 8);
        Assert.AreEqual(2, choice.Default);
        Assert.AreEqual(2, choice.ValueAt(0));
        Assert.AreEqual(2, choice.ValueAt(0.3333));
        Assert.AreEqual(4, choice.ValueAt(0.3334));
        Assert.AreEqual(8, choice.ValueAt(0.9999999));
        Assert.IsTrue(SearchChoice<string>.Fixed("unet").IsFixed);
    }

    [TestMethod]
    public void GridListsEveryCombinationOnceFirstDimensionSlowest()
    {
        var space = new SegmentationSearchSpace
        {
            Architecture = new("unet", "deeplabv3plus"),
            Backbone = new("resnet18", "resnet50"),
            OutputStride = SearchChoice<int>.Fixed(16),
            WidthDivisor = SearchChoice<int>.Fixed(8),
            Loss = new(LossChoice.CrossEntropy, LossChoice.Lovasz),
            ClassWeights = new(false, true),
            Optimizer = SearchChoice<OptimizerKind>.Fixed(OptimizerKind.AdamW),
            LearningRate = SearchRange.LogUniform(1e-3, 1e-2, 1e-3, gridPoints: 2),
            WeightDecay = SearchRange.Fixed(1e-4),
            BatchSize = SearchChoice<int>.Fixed(4),
            Augmentation = SearchChoice<AugmentationLevel>.Fixed(AugmentationLevel.Flip),
        };
        var grid = space.Grid().ToArray();
        // U-Net: no backbone, so 1 architecture; DeepLab: 2 backbones. ce weighted or not, Lovász unweighted only. 2 rates.
        Assert.AreEqual((1 + 2) * (2 + 1) * 2, grid.Length);
        Assert.AreEqual(grid.Length, space.GridSize());
        Assert.AreEqual(grid.Length, grid.Distinct().Count());
        string Key(TrialParameters p) => $"{p.CatalogName} {SweepJson.Name(p.Loss)} {(p.ClassWeights ? "w" : "-")} {p.LearningRate:0e0}";
        CollectionAssert.AreEqual(new[]
        {
            "unet ce - 1e-3", "unet ce - 1e-2", "unet ce w 1e-3", "unet ce w 1e-2", "unet lovasz - 1e-3", "unet lovasz - 1e-2",
            "deeplabv3plus-resnet18 ce - 1e-3", "deeplabv3plus-resnet18 ce - 1e-2", "deeplabv3plus-resnet18 ce w 1e-3",
            "deeplabv3plus-resnet18 ce w 1e-2", "deeplabv3plus-resnet18 lovasz - 1e-3", "deeplabv3plus-resnet18 lovasz - 1e-2",
            "deeplabv3plus-resnet50 ce - 1e-3", "deeplabv3plus-resnet50 ce - 1e-2", "deeplabv3plus-resnet50 ce w 1e-3",
            "deeplabv3plus-resnet50 ce w 1e-2", "deeplabv3plus-resnet50 lovasz - 1e-3", "deeplabv3plus-resnet50 lovasz - 1e-2",
        }, grid.Select(Key).ToArray());
        Assert.IsTrue(grid.Where(p => !p.IsDeepLab).All(p => p.Backbone is null && p.OutputStride is null));
        Assert.IsTrue(grid.Where(p => p.IsDeepLab).All(p => p.OutputStride == 16));

        // The default space's grid, by its arithmetic: 2 non-DeepLab + 2 DeepLabs x 3 backbones x 2 strides; 3 weighted
        // losses x 2 + Lovász; 2 widths, 3 optimizers, 3 x 3 rate and decay points, 3 batch sizes, 1 crop, 3 augmentations.
        Assert.AreEqual((4L + 2 * 3 * 2) * (3 * 2 + 1) * 2 * 3 * 3 * 3 * 3 * 1 * 3, new SegmentationSearchSpace().GridSize());
    }

    [TestMethod]
    public void JsonRoundTripKeepsEveryDimension()
    {
        var space = new SegmentationSearchSpace().Fix(p => p.Architecture, "segnet").Fix(p => p.LearningRate, 2e-3);
        space.BatchSize = new SearchChoice<int>([2, 8], 8);
        string json = space.ToJson();
        StringAssert.Contains(json, "\"ce+dice\"");
        StringAssert.Contains(json, "\"adamw\"");
        var back = SegmentationSearchSpace.FromJson(json);
        Assert.AreEqual(json, back.ToJson());
        Assert.AreEqual(8, back.BatchSize.Default);
        CollectionAssert.AreEqual(space.Grid().Take(50).ToArray(), back.Grid().Take(50).ToArray());

        // Dimensions a file leaves out keep their defaults; unknown names and bad values are one-line errors.
        var partial = SegmentationSearchSpace.FromJson("""{"architecture": {"values": ["unet"], "default": "unet"}, "learningRate": {"min": 1e-3, "max": 1e-2, "logScale": true, "default": 1e-3}}""");
        Assert.IsTrue(partial.Architecture.IsFixed);
        Assert.AreEqual(3, partial.LearningRate.GridPoints);
        CollectionAssert.AreEqual(new SegmentationSearchSpace().Loss.Values.ToArray(), partial.Loss.Values.ToArray());
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => SegmentationSearchSpace.FromJson("""{"learningRat": {}}""")).Message, "learningRat");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => SegmentationSearchSpace.FromJson("""{"loss": {"valuez": ["ce"], "default": "ce"}}""")).Message, "valuez");
        Assert.AreEqual("search space: the default of 'batchSize' (3) is not one of its values (2, 4)",
            Assert.ThrowsExactly<ArgumentException>(() => SegmentationSearchSpace.FromJson("""{"batchSize": {"values": [2, 4], "default": 3}}""")).Message);
        Assert.AreEqual("search space: 'learningRate' is log-scaled, so its min must be > 0, got 0",
            Assert.ThrowsExactly<ArgumentException>(() => SegmentationSearchSpace.FromJson("""{"learningRate": {"min": 0, "max": 1, "logScale": true, "default": 0.5}}""")).Message);
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentException>(() => SegmentationSearchSpace.FromJson("""{"architecture": {"values": ["unet3d"], "default": "unet3d"}}""")).Message,
            "search space: unknown architecture 'unet3d'; known: unet, unet-bilinear");
    }

    [TestMethod]
    public void FixingADimensionLeavesTheOtherDrawsAlone()
    {
        var free = new SegmentationSearchSpace();
        var fixedSpace = new SegmentationSearchSpace().Fix(p => p.Architecture, "unet").Fix(p => p.LearningRate, 3e-3);
        for (int trial = 1; trial <= 30; trial++)
        {
            var a = SegmentationSweep.SampleTrial(free, 42, trial);
            var b = SegmentationSweep.SampleTrial(fixedSpace, 42, trial);
            Assert.AreEqual("unet", b.Architecture);
            Assert.AreEqual(3e-3, b.LearningRate);
            Assert.IsNull(b.Backbone);
            Assert.AreEqual(a with { Architecture = "unet", Backbone = null, OutputStride = null, LearningRate = 3e-3 }, b, $"trial {trial}");
        }
        // The same seed and trial give the same parameters; another trial or seed others.
        Assert.AreEqual(SegmentationSweep.SampleTrial(free, 42, 5), SegmentationSweep.SampleTrial(free, 42, 5));
        Assert.AreNotEqual(SegmentationSweep.SampleTrial(free, 42, 5), SegmentationSweep.SampleTrial(free, 42, 6));
        Assert.AreNotEqual(SegmentationSweep.SampleTrial(free, 42, 5), SegmentationSweep.SampleTrial(free, 43, 5));

        // A single-value choice assigned directly fixes as Fix does; Restrict does it from text.
        var assigned = new SegmentationSearchSpace { Architecture = new SearchChoice<string>("unet"), LearningRate = SearchRange.Fixed(3e-3) };
        Assert.AreEqual(SegmentationSweep.SampleTrial(fixedSpace, 42, 3), SegmentationSweep.SampleTrial(assigned, 42, 3));
        var restricted = new SegmentationSearchSpace().Restrict("architecture", "unet").Restrict("LearningRate", "0.003");
        Assert.AreEqual(SegmentationSweep.SampleTrial(fixedSpace, 42, 3), SegmentationSweep.SampleTrial(restricted, 42, 3));
        CollectionAssert.AreEqual(new[] { LossChoice.Focal, LossChoice.CrossEntropyDice },
            new SegmentationSearchSpace().Restrict("loss", "focal|ce+dice").Loss.Values.ToArray());
        Assert.IsTrue(new SegmentationSearchSpace().Restrict("classWeights", "true").ClassWeights.Values.SequenceEqual([true]));
        StringAssert.StartsWith(Assert.ThrowsExactly<ArgumentException>(() => new SegmentationSearchSpace().Restrict("arch", "unet")).Message,
            "search space: unknown dimension 'arch'; known: architecture, backbone, outputStride");
        Assert.AreEqual("search space: 'big' is not a value of 'batchSize' (Int32)",
            Assert.ThrowsExactly<ArgumentException>(() => new SegmentationSearchSpace().Restrict("batchSize", "big")).Message);
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationSearchSpace().Fix(p => p.Clone().Architecture, "unet"));
    }

    [TestMethod]
    public void ParametersThatDoNotApplyAreCleared()
    {
        var p = new SegmentationSearchSpace().Defaults();
        Assert.AreEqual("unet", p.CatalogName);
        Assert.AreEqual("unet /4, ce+dice, adamw lr 1.0e-3 wd 1.0e-4, batch 4, whole images, flip", p.Describe());
        var lovasz = (p with { Loss = LossChoice.Lovasz, ClassWeights = true }).Normalized();
        Assert.IsFalse(lovasz.ClassWeights);
        var deeplab = (p with { Architecture = "deeplabv3", Backbone = "resnet34", OutputStride = 8 }).Normalized();
        Assert.AreEqual("deeplabv3-resnet34", deeplab.CatalogName);
        Assert.AreEqual(34, deeplab.BackboneDepth);
        StringAssert.StartsWith(deeplab.Describe(), "deeplabv3-resnet34 os8 /4");
    }
}
