using MLNet.Segmentation.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Nn;

/// <summary>Our state-dict tools (<see cref="StateDict"/>, <see cref="StateDicts"/>) on a TorchSharp module written the way ours are.</summary>
[TestClass]
public sealed class ModuleTests
{
    /// <summary>Fields named as the PyTorch state-dict keys, registered by RegisterComponents.</summary>
    private sealed class TwoLayer : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential features;
        private readonly SafeConv2d head;

        public TwoLayer() : base(nameof(TwoLayer))
        {
            features = nn.Sequential(Layers.Conv2d(3, 4, 3, padding: 1), nn.BatchNorm2d(4), nn.ReLU());
            head = Layers.Conv2d(4, 2, 1);
            RegisterComponents();
        }

        public Sequential Features => features;

        public SafeConv2d Head => head;

        public override Tensor forward(Tensor input) => head.call(features.call(input));
    }

    private static TwoLayer Seeded(long seed)
    {
        torch.random.manual_seed(seed);
        return new TwoLayer();
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && TensorAssert.MaxAbsDifference(a, b) == 0;

    [TestMethod]
    public void NamesFollowPyTorchsDottedConvention()
    {
        using var model = Seeded(1);
        CollectionAssert.AreEqual(new[] { "features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias", "head.weight", "head.bias" },
            model.named_parameters().Select(p => p.name).ToArray());
        CollectionAssert.AreEqual(new[] { "features.1.running_mean", "features.1.running_var", "features.1.num_batches_tracked" },
            model.named_buffers().Select(p => p.name).ToArray());
        using var state = model.StateDictOf();
        CollectionAssert.AreEqual(new[]
        {
            "features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias", "features.1.running_mean",
            "features.1.running_var", "features.1.num_batches_tracked", "head.weight", "head.bias",
        }, state.Keys.ToArray());
        Assert.AreEqual(ScalarType.Int64, state["features.1.num_batches_tracked"].dtype);
        Assert.AreEqual(0, state["features.1.num_batches_tracked"].dim());
        Assert.AreEqual(4 * 3 * 9 + 4 + 4 + 4 + 2 * 4 + 2, model.ParameterCount());
        Assert.AreEqual(model.ParameterCount(), model.TrainableParameterCount());
    }

    [TestMethod]
    public void StateDictOfSharesStorageUnlessCopied()
    {
        using var model = Seeded(2);
        using var shared = model.StateDictOf();
        using var copied = model.StateDictOf(copy: true);
        Assert.IsFalse(shared["head.bias"].requires_grad, "detached handles");
        using (no_grad()) model.Head.bias!.fill_(7);
        Assert.AreEqual(7f, shared["head.bias"][0].item<float>(), "a shared handle sees the change");
        Assert.AreNotEqual(7f, copied["head.bias"][0].item<float>(), "a copy does not");
        shared.Dispose();
        Assert.AreEqual(7f, model.Head.bias![0].item<float>(), "disposing the handles leaves the module's tensors alive");
        Assert.AreEqual(0, shared.Count);
    }

    [TestMethod]
    public void SameSeedGivesSameWeightsAndStateDictRoundTrips()
    {
        using var scope = NewDisposeScope();
        using var a = Seeded(5);
        using var b = Seeded(5);
        using var c = Seeded(6);
        Assert.IsTrue(a.parameters().Zip(b.parameters()).All(p => Same(p.First, p.Second)));
        Assert.IsFalse(Same(a.parameters().First(), c.parameters().First()));

        using var generator = new Generator(1);
        var x = randn([2, 3, 7, 9], generator: generator);
        a.eval();
        c.eval();
        using (var state = a.StateDictOf()) Assert.IsTrue(c.Load(state).IsExactMatch);
        Assert.IsTrue(Same(a.call(x), c.call(x)));
    }

    [TestMethod]
    public void StrictLoadReportsEveryProblemByNameAndCopiesNothing()
    {
        using var scope = NewDisposeScope();
        using var model = Seeded(2);
        using var state = model.StateDictOf(copy: true);
        var source = state.Where(kv => kv.Key != "head.bias").ToDictionary(kv => kv.Key, kv => kv.Value);
        source["head.weight"] = zeros(3, 4, 1, 1);
        source["extra.weight"] = zeros(1);
        source["features.0.weight"] = zeros(4, 3, 3, 3);

        var error = Assert.ThrowsExactly<StateDictMismatchException>(() => model.Load(source));
        CollectionAssert.AreEqual(new[] { "head.bias" }, error.Report.Missing.ToArray());
        CollectionAssert.AreEqual(new[] { "extra.weight" }, error.Report.Unexpected.ToArray());
        Assert.AreEqual("head.weight", error.Report.Mismatched.Single().Name);
        StringAssert.Contains(error.Message, "head.weight: model has [2, 4, 1, 1], state dict has [3, 4, 1, 1]");
        StringAssert.Contains(error.Message, "1 missing (head.bias)");
        Assert.IsFalse(Same(model.parameters().First(), zeros(4, 3, 3, 3)), "strict failure copied nothing");

        var report = model.Load(source, strict: false);
        Assert.IsFalse(report.IsExactMatch);
        Assert.AreEqual(7, report.LoadedCount);
        Assert.IsTrue(Same(model.parameters().First(), zeros(4, 3, 3, 3)), "non-strict copied what matched");
        StringAssert.StartsWith(report.Summary(), "loaded 7 tensors; 1 missing (head.bias); 1 unexpected (extra.weight); 1 with another shape");
    }

    [TestMethod]
    public void LoadConvertsDTypeAndDeviceButNeverBroadcasts()
    {
        using var scope = NewDisposeScope();
        using var model = Seeded(3);
        using var state = model.StateDictOf(copy: true);
        var doubles = state.ToDictionary(kv => kv.Key, kv => kv.Value.is_floating_point() ? kv.Value.to_type(ScalarType.Float64) + 1 : kv.Value);
        Assert.IsTrue(model.Load(doubles).IsExactMatch);
        Assert.AreEqual(ScalarType.Float32, model.Head.weight.dtype, "the module keeps its dtype");
        Assert.IsTrue(TensorAssert.MaxAbsDifference(model.Head.weight, state["head.weight"] + 1) < 1e-6);

        // A [1]-shaped bias would broadcast into [2] under TorchSharp's load_state_dict; ours reports it.
        var broadcastable = state.ToDictionary(kv => kv.Key, kv => kv.Value);
        broadcastable["head.bias"] = ones(1);
        var error = Assert.ThrowsExactly<StateDictMismatchException>(() => model.Load(broadcastable));
        StringAssert.Contains(error.Message, "head.bias: model has [2], state dict has [1]");
    }

    [TestMethod]
    public void PrefixHelpersSelectASubModule()
    {
        using var model = Seeded(3);
        using var state = model.StateDictOf();
        using var head = state.WithoutPrefix("head.");
        CollectionAssert.AreEqual(new[] { "weight", "bias" }, head.Keys.ToArray());
        using var again = head.WithPrefix("head.");
        CollectionAssert.AreEqual(new[] { "head.weight", "head.bias" }, again.Keys.ToArray());
        Assert.IsTrue(model.Head.Load(head).IsExactMatch);
        using var none = state.WithoutPrefix("head.weight");
        Assert.AreEqual(0, none.Count, "a key equal to the prefix is not an entry");
        head.Dispose();
        Assert.IsFalse(state["head.weight"].IsInvalid, "the prefixed copies are separate handles");
    }

    [TestMethod]
    public void StateDictOwnsItsTensorsAndRefusesDuplicates()
    {
        var dict = new StateDict();
        Tensor t;
        using (NewDisposeScope())
        {
            t = ones(2);
            dict.Add("a", t);
        }
        Assert.IsFalse(t.IsInvalid, "added tensors leave the dispose scope");
        Assert.ThrowsExactly<ArgumentException>(() => dict.Add("a", zeros(1)));
        Assert.ThrowsExactly<ArgumentException>(() => dict.Add("", zeros(1)));
        StringAssert.Contains(Assert.ThrowsExactly<KeyNotFoundException>(() => dict["b"]).Message, "'b'");
        Assert.IsTrue(dict.TryGetValue("a", out var found) && ReferenceEquals(found, t));
        dict.Dispose();
        Assert.IsTrue(t.IsInvalid, "disposing the dict disposes its tensors");
    }

    [TestMethod]
    public void TrainEvalPropagatesToDescendants()
    {
        using var model = Seeded(4);
        Assert.IsTrue(model.modules().All(m => m.training));
        model.eval();
        Assert.IsTrue(model.modules().All(m => !m.training));
        // TorchSharp lists the children before the grandchildren (PyTorch goes depth first); the set is the same.
        CollectionAssert.AreEquivalent(new[] { "features", "features.0", "features.1", "features.2", "head" },
            model.named_modules().Select(m => m.name).ToArray());
    }

    [TestMethod]
    public void ToDoubleConvertsFloatingTensorsOnly()
    {
        using var scope = NewDisposeScope();
        using var model = Seeded(5);
        model.to(ScalarType.Float64);
        Assert.IsTrue(model.parameters().All(p => p.dtype == ScalarType.Float64 && p.requires_grad && p.is_leaf));
        Assert.AreEqual(ScalarType.Int64, model.named_buffers().Single(b => b.name.EndsWith("num_batches_tracked", StringComparison.Ordinal)).buffer.dtype);
        using var generator = new Generator(5);
        var y = model.call(randn([1, 3, 5, 5], ScalarType.Float64, generator: generator).requires_grad_());
        Assert.AreEqual(ScalarType.Float64, y.dtype);
        model.to(CPU);
        Assert.IsTrue(model.parameters().All(p => p.device_type == DeviceType.CPU));
    }

    [TestMethod]
    public void ParametersOutliveDisposeScopesAndDieWithTheModule()
    {
        TwoLayer model;
        using (NewDisposeScope()) model = Seeded(6);
        var parameters = model.parameters().ToList();
        Assert.IsTrue(parameters.All(p => !p.IsInvalid));
        model.Dispose();
        Assert.IsTrue(parameters.All(p => p.IsInvalid));
    }

    [TestMethod]
    public void GradientsReachEveryParameterAndFreezeStopsThem()
    {
        using var scope = NewDisposeScope();
        using var model = Seeded(7);
        using var generator = new Generator(7);
        model.call(randn([2, 3, 6, 6], generator: generator)).sum().backward();
        Assert.IsTrue(model.parameters().All(p => p.grad is not null));
        model.zero_grad();
        Assert.IsTrue(model.parameters().All(p => p.grad is null || p.grad.abs().sum().item<float>() == 0));
        model.Features.SetRequiresGrad(false);
        Assert.AreEqual(2 * 4 + 2, model.TrainableParameterCount());
        model.call(randn([1, 3, 4, 4], generator: generator)).sum().backward();
        Assert.IsTrue(model.Head.weight.grad!.abs().sum().item<float>() > 0);
        model.SetRequiresGrad(true);
        Assert.AreEqual(model.ParameterCount(), model.TrainableParameterCount());
    }
}
