using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;

namespace MLNet.Segmentation.Tests.Nn;

[TestClass]
public sealed class ModuleTests
{
    private sealed class TwoLayer : Module
    {
        public TwoLayer(Generator generator)
        {
            RegisterModule("features", new Sequential(new Conv2d(3, 4, 3, padding: 1, generator: generator), new BatchNorm2d(4), new ReLU()));
            RegisterModule("head", new Conv2d(4, 2, 1, generator: generator));
        }

        public override Tensor Forward(Tensor input) => Child("head").Forward(Child("features").Forward(input));
    }

    [TestMethod]
    public void NamesFollowPyTorchDottedConvention()
    {
        using var generator = new Generator(1);
        using var model = new TwoLayer(generator);
        CollectionAssert.AreEqual(new[] { "features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias", "head.weight", "head.bias" },
            model.NamedParameters().Select(p => p.Name).ToArray());
        CollectionAssert.AreEqual(new[] { "features.1.running_mean", "features.1.running_var", "features.1.num_batches_tracked" },
            model.NamedBuffers().Select(p => p.Name).ToArray());
        using var state = model.StateDict();
        CollectionAssert.AreEqual(new[]
        {
            "features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias", "features.1.running_mean",
            "features.1.running_var", "features.1.num_batches_tracked", "head.weight", "head.bias",
        }, state.Keys.ToArray());
        Assert.AreEqual(DType.Int64, state["features.1.num_batches_tracked"].DType);
        Assert.AreEqual(0, state["features.1.num_batches_tracked"].Dim);
        Assert.AreEqual(4 * 3 * 9 + 4 + 4 + 4 + 2 * 4 + 2, model.ParameterCount);
    }

    [TestMethod]
    public void SameSeedGivesSameWeightsAndStateDictRoundTrips()
    {
        using var scope = DisposeScope.Enter();
        using var g1 = new Generator(5);
        using var g2 = new Generator(5);
        using var g3 = new Generator(6);
        using var a = new TwoLayer(g1);
        using var b = new TwoLayer(g2);
        using var c = new TwoLayer(g3);
        Assert.IsTrue(a.Parameters().Zip(b.Parameters()).All(p => p.First.Equal(p.Second)));
        Assert.IsFalse(a.Parameters().First().Equal(c.Parameters().First()));

        var x = Tensor.Randn([2, 3, 7, 9], g1);
        a.Eval();
        c.Eval();
        using (var state = a.StateDict()) c.LoadStateDict(state);
        Assert.IsTrue(a.Forward(x).Equal(c.Forward(x)));
    }

    [TestMethod]
    public void StrictLoadReportsEveryProblemByNameAndCopiesNothing()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(2);
        using var model = new TwoLayer(generator);
        using var state = model.StateDict(copy: true);
        var source = state.Where(kv => kv.Key != "head.bias").ToDictionary(kv => kv.Key, kv => kv.Value);
        source["head.weight"] = Tensor.Zeros([3, 4, 1, 1]);
        source["extra.weight"] = Tensor.Zeros([1]);
        source["features.0.weight"] = Tensor.Zeros([4, 3, 3, 3]);

        var error = Assert.ThrowsExactly<StateDictMismatchException>(() => model.LoadStateDict(source));
        CollectionAssert.AreEqual(new[] { "head.bias" }, error.Report.Missing.ToArray());
        CollectionAssert.AreEqual(new[] { "extra.weight" }, error.Report.Unexpected.ToArray());
        Assert.AreEqual("head.weight", error.Report.Mismatched.Single().Name);
        StringAssert.Contains(error.Message, "head.weight: model has [2, 4, 1, 1], state dict has [3, 4, 1, 1]");
        Assert.IsFalse(model.Parameters().First().Equal(Tensor.Zeros([4, 3, 3, 3])), "strict failure copied nothing");

        var report = model.LoadStateDict(source, strict: false);
        Assert.IsFalse(report.IsExactMatch);
        Assert.AreEqual(7, report.LoadedCount);
        Assert.IsTrue(model.Parameters().First().Equal(Tensor.Zeros([4, 3, 3, 3])), "non-strict copied what matched");
    }

    [TestMethod]
    public void PrefixHelpersSelectASubModule()
    {
        using var generator = new Generator(3);
        using var model = new TwoLayer(generator);
        using var state = model.StateDict();
        using var head = state.WithoutPrefix("head.");
        CollectionAssert.AreEqual(new[] { "weight", "bias" }, head.Keys.ToArray());
        using var again = head.WithPrefix("head.");
        CollectionAssert.AreEqual(new[] { "head.weight", "head.bias" }, again.Keys.ToArray());
        var report = model.Child("head").LoadStateDict(head);
        Assert.IsTrue(report.IsExactMatch);
    }

    [TestMethod]
    public void TrainEvalPropagatesToDescendants()
    {
        using var generator = new Generator(4);
        using var model = new TwoLayer(generator);
        Assert.IsTrue(model.NamedModules().All(m => m.Module.IsTraining));
        model.Eval();
        Assert.IsTrue(model.NamedModules().All(m => !m.Module.IsTraining));
        CollectionAssert.AreEqual(new[] { "", "features", "features.0", "features.1", "features.2", "head" },
            model.NamedModules().Select(m => m.Name).ToArray());
    }

    [TestMethod]
    public void ToDoubleConvertsFloatingTensorsOnly()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(5);
        using var model = new TwoLayer(generator);
        model.To(DType.Float64);
        Assert.IsTrue(model.Parameters().All(p => p.DType == DType.Float64 && p.RequiresGrad && p.IsLeaf));
        Assert.AreEqual(DType.Int64, model.NamedBuffers().Single(b => b.Name.EndsWith("num_batches_tracked")).Tensor.DType);
        var y = model.Forward(Tensor.Randn([1, 3, 5, 5], generator, DType.Float64));
        Assert.AreEqual(DType.Float64, y.DType);
        model.To(Device.Cpu);
        Assert.IsTrue(model.Parameters().All(p => p.Device.IsCpu));
    }

    [TestMethod]
    public void ParametersOutliveDisposeScopesAndDieWithTheModule()
    {
        TwoLayer model;
        using var generator = new Generator(6);
        using (DisposeScope.Enter()) model = new TwoLayer(generator);
        var parameters = model.Parameters().ToList();
        Assert.IsTrue(parameters.All(p => !p.IsDisposed));
        model.Dispose();
        Assert.IsTrue(parameters.All(p => p.IsDisposed));
    }

    [TestMethod]
    public void GradientsReachEveryParameterAndFreezeStopsThem()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(7);
        using var model = new TwoLayer(generator);
        model.Forward(Tensor.Randn([2, 3, 6, 6], generator)).Sum().Backward();
        Assert.IsTrue(model.Parameters().All(p => p.Grad is not null));
        model.ZeroGrad();
        Assert.IsTrue(model.Parameters().All(p => p.Grad is null));
        model.Child("features").SetRequiresGrad(false);
        Assert.AreEqual(2 * 4 + 2, model.TrainableParameterCount);
    }
}
