using System.Text.Json;
using MLNet.Segmentation.Engine;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Training;

/// <summary>
/// The trainer's optimizers are TorchSharp's torch.optim SGD, Adam and AdamW and its clipping torch.nn.utils
/// .clip_grad_norm_: their trajectories on a fixed problem equal PyTorch's (Fixtures/Training/make_training_fixtures.py).
/// </summary>
[TestClass]
public sealed class OptimizerTests
{
    private static readonly JsonElement Fixture = TrainingFixtures.Load("optimizers.json");

    // The fixture's least-squares problem, loss = |A p - b|^2 + sum(q^2 c), in float64.
    private sealed class LeastSquares : IDisposable
    {
        private readonly Tensor _a, _b, _c;

        public LeastSquares()
        {
            var problem = Fixture.GetProperty("problem");
            _a = TensorData.FromArray(problem.GetProperty("a").Flatten(), 4, 3);
            _b = TensorData.FromArray(problem.GetProperty("b").Doubles());
            _c = TensorData.FromArray(problem.GetProperty("c").Doubles(), 2, 2);
            P = new Parameter(TensorData.FromArray(problem.GetProperty("p0").Doubles()));
            Q = new Parameter(TensorData.FromArray(problem.GetProperty("q0").Doubles(), 2, 2));
        }

        public Parameter P { get; }
        public Parameter Q { get; }

        // One optimizer step on the loss (gradients recomputed from scratch), optionally clipping the gradient norm.
        public void Step(optim.Optimizer optimizer, double? clip = null)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var residual = _a.matmul(P) - _b;
            ((residual * residual).sum() + (Q * Q * _c).sum()).backward();
            if (clip is double limit) nn.utils.clip_grad_norm_([P, Q], limit);
            optimizer.step();
        }

        public void Dispose()
        {
            foreach (var t in new Tensor[] { _a, _b, _c, P, Q }) t.Dispose();
        }
    }

    private static List<(double[] P, double[] Q)> Run(Func<Parameter[], optim.Optimizer> make, int steps = 6, double? clip = null)
    {
        using var problem = new LeastSquares();
        using var optimizer = make([problem.P, problem.Q]);
        var result = new List<(double[], double[])>();
        for (int i = 0; i < steps; i++)
        {
            problem.Step(optimizer, clip);
            result.Add((TensorData.ToArray<double>(problem.P), TensorData.ToArray<double>(problem.Q)));
        }
        return result;
    }

    private static void AssertTrajectory(string name, List<(double[] P, double[] Q)> ours, JsonElement expected)
    {
        int step = 0;
        foreach (var reference in expected.EnumerateArray())
        {
            var (p, q) = ours[step];
            var refP = reference.GetProperty("p").Doubles();
            var refQ = reference.GetProperty("q").Doubles();
            for (int k = 0; k < refP.Length; k++) Assert.AreEqual(refP[k], p[k], 1e-10, $"{name}: p[{k}] after step {step + 1}");
            for (int k = 0; k < refQ.Length; k++) Assert.AreEqual(refQ[k], q[k], 1e-10, $"{name}: q[{k}] after step {step + 1}");
            step++;
        }
        Assert.AreEqual(ours.Count, step);
    }

    private static JsonElement Reference(string name) => Fixture.GetProperty("trajectories").GetProperty(name);

    [TestMethod]
    public void SgdMatchesTorch()
    {
        AssertTrajectory("sgd", Run(ps => optim.SGD(ps, 0.05)), Reference("sgd"));
        AssertTrajectory("sgd_momentum_wd", Run(ps => optim.SGD(ps, 0.05, momentum: 0.9, dampening: 0.1, weight_decay: 0.01)), Reference("sgd_momentum_wd"));
        AssertTrajectory("sgd_nesterov", Run(ps => optim.SGD(ps, 0.05, momentum: 0.9, nesterov: true)), Reference("sgd_nesterov"));
    }

    [TestMethod]
    public void AdamAndAdamWMatchTorch()
    {
        AssertTrajectory("adam", Run(ps => optim.Adam(ps, 0.1)), Reference("adam"));
        AssertTrajectory("adam_wd", Run(ps => optim.Adam(ps, 0.1, beta1: 0.8, beta2: 0.99, eps: 1e-6, weight_decay: 0.05)), Reference("adam_wd"));
        AssertTrajectory("adamw", Run(ps => optim.AdamW(ps, 0.1, weight_decay: 0.1)), Reference("adamw"));
    }

    [TestMethod]
    public void GradientNormClippingMatchesTorch() =>
        AssertTrajectory("clipped_sgd", Run(ps => optim.SGD(ps, 0.05), clip: 0.5), Fixture.GetProperty("clipped_sgd"));

    [TestMethod]
    public void SavedOptimizerStateContinuesIdentically()
    {
        // Six uninterrupted Adam steps equal three steps, a save/restore of TorchSharp's optimizer state into a fresh
        // optimizer (as the training checkpoint does), and three more.
        var full = Run(ps => optim.Adam(ps, 0.1));
        using var problem = new LeastSquares();
        byte[] saved;
        using (var first = optim.Adam([problem.P, problem.Q], 0.1))
        {
            for (int i = 0; i < 3; i++) problem.Step(first);
            using var buffer = new MemoryStream();
            using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) first.save_state_dict(writer);
            saved = buffer.ToArray();
        }
        using var second = optim.Adam([problem.P, problem.Q], 0.1);
        using (var reader = new BinaryReader(new MemoryStream(saved))) second.load_state_dict(reader);
        for (int i = 0; i < 3; i++) problem.Step(second);
        CollectionAssert.AreEqual(full[5].P, TensorData.ToArray<double>(problem.P));

        // The state names its optimizer: SGD refuses Adam's.
        using var sgd = optim.SGD([problem.P, problem.Q], 0.1);
        using var other = new BinaryReader(new MemoryStream(saved));
        var error = Assert.ThrowsExactly<InvalidDataException>(() => sgd.load_state_dict(other));
        StringAssert.Contains(error.Message, "Adam");
    }
}
