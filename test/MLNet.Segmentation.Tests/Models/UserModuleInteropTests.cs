using MLNet.Segmentation.Models;
using MLNet.Segmentation.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Models;

/// <summary>Our networks as ordinary TorchSharp modules inside a user's own module.</summary>
[TestClass]
public sealed class UserModuleInteropTests
{
    /// <summary>A user's module, written the TorchSharp way: our U-Net and a plain TorchSharp layer as fields.</summary>
    private sealed class UserModel : nn.Module<Tensor, Tensor>
    {
        private readonly UNet segmenter;
        private readonly Conv2d refine;

        public UserModel() : base(nameof(UserModel))
        {
            segmenter = new UNet(3, new UNetOptions { Depth = 2, BaseWidth = 4 });
            refine = nn.Conv2d(3, 2, 1);
            RegisterComponents();
        }

        public UNet Segmenter => segmenter;

        public override Tensor forward(Tensor input) => refine.call(segmenter.call(input).relu());
    }

    private static UserModel Build()
    {
        torch.random.manual_seed(70);
        return new UserModel();
    }

    [TestMethod]
    public void ForwardAndBackwardReachOurParameters()
    {
        using var scope = NewDisposeScope();
        using var model = Build();
        using var generator = new Generator(70);
        var x = randn([2, 3, 21, 19], generator: generator);
        var y = model.call(x);
        CollectionAssert.AreEqual(new long[] { 2, 2, 21, 19 }, y.shape);
        nn.functional.cross_entropy(y, randint(0, 2, [2, 21, 19], generator: generator)).backward();
        var missing = model.named_parameters().Where(p => p.parameter.grad is null).Select(p => p.name).ToList();
        Assert.AreEqual(0, missing.Count, string.Join(", ", missing));
        Assert.IsTrue(model.Segmenter.parameters().All(p => p.grad!.abs().sum().item<float>() > 0), "every parameter of ours gets a gradient");
    }

    [TestMethod]
    public void StateDictKeysArePrefixedByTheUsersFieldName()
    {
        using var model = Build();
        using var ours = model.Segmenter.StateDictOf();
        var keys = model.state_dict().Keys.ToHashSet();
        var expected = ours.Keys.Select(k => "segmenter." + k).Concat(["refine.weight", "refine.bias"]).ToHashSet();
        Assert.IsTrue(keys.SetEquals(expected), $"unexpected: {string.Join(", ", keys.Except(expected).Take(5))}; missing: {string.Join(", ", expected.Except(keys).Take(5))}");
        using var full = model.StateDictOf();
        CollectionAssert.AreEqual(ours.Keys.Select(k => "segmenter." + k).ToArray(), full.Keys.Take(ours.Count).ToArray(), "in PyTorch's order, our part first");

        // Our weights load into the user's model under the prefix; only the user's own layer is then missing.
        torch.random.manual_seed(71);
        using var trained = new UNet(3, new UNetOptions { Depth = 2, BaseWidth = 4 });
        using var weights = trained.StateDictOf();
        using var prefixed = weights.WithPrefix("segmenter.");
        var report = model.Load(prefixed, strict: false);
        CollectionAssert.AreEquivalent(new[] { "refine.weight", "refine.bias" }, report.Missing.ToArray());
        Assert.AreEqual(0, report.Unexpected.Count);
        Assert.IsTrue(trained.parameters().Zip(model.Segmenter.parameters()).All(p => TensorAssert.MaxAbsDifference(p.First, p.Second) == 0));
    }

    [TestMethod]
    public void AnOptimizerOverTheUsersParametersUpdatesOurWeights()
    {
        using var scope = NewDisposeScope();
        using var model = Build();
        using var before = model.Segmenter.StateDictOf(copy: true);
        using var optimizer = optim.Adam(model.parameters(), lr: 0.01);
        using var generator = new Generator(72);
        var x = randn([2, 3, 16, 16], generator: generator);
        var target = randint(0, 2, [2, 16, 16], generator: generator);
        double first = 0, last = 0;
        for (int step = 0; step < 5; step++)
        {
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(x), target);
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
            loss.backward();
            optimizer.step();
        }
        using var after = model.Segmenter.StateDictOf();
        var changed = model.Segmenter.named_parameters().Count(p => TensorAssert.MaxAbsDifference(after[p.name], before[p.name]) > 0);
        Assert.AreEqual(model.Segmenter.parameters().Count(), changed, "every weight of ours moved");
        Assert.IsTrue(TensorAssert.MaxAbsDifference(after["encoder.0.1.running_mean"], before["encoder.0.1.running_mean"]) > 0, "BatchNorm statistics follow training mode");
        Assert.IsTrue(last < first, $"the loss went down ({first} -> {last})");
    }

    [TestMethod]
    public void ModeDtypeAndDisposalPropagateIntoOurModel()
    {
        using var scope = NewDisposeScope();
        var model = Build();
        model.eval();
        Assert.IsFalse(model.Segmenter.training);
        Assert.IsTrue(model.Segmenter.modules().All(m => !m.training));
        model.train();
        Assert.IsTrue(model.Segmenter.training);
        model.to(ScalarType.Float64);
        Assert.IsTrue(model.Segmenter.parameters().All(p => p.dtype == ScalarType.Float64));
        using var generator = new Generator(73);
        Assert.AreEqual(ScalarType.Float64, model.call(randn([1, 3, 8, 8], ScalarType.Float64, generator: generator)).dtype);
        var ours = model.Segmenter.parameters().ToList();
        model.Dispose();
        Assert.IsTrue(ours.All(p => p.IsInvalid), "disposing the user's module disposes ours");
    }
}
