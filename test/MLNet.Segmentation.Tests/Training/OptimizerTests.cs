using System.Text.Json;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Training.Optimizers;

namespace MLNet.Segmentation.Tests.Training;

[TestClass]
public sealed class OptimizerTests
{
    private static readonly JsonElement Fixture = TrainingFixtures.Load("optimizers.json");

    // The fixture's least-squares problem, loss = |A p - b|^2 + sum(q^2 c), built in the current dispose scope.
    private sealed class LeastSquares
    {
        private readonly Tensor _a, _b, _c;

        public LeastSquares()
        {
            var problem = Fixture.GetProperty("problem");
            _a = Tensor.FromArray(problem.GetProperty("a").Flatten(), 4, 3);
            _b = Tensor.FromArray(problem.GetProperty("b").Doubles());
            _c = Tensor.FromArray(problem.GetProperty("c").Doubles(), 2, 2);
            P = Tensor.FromArray(problem.GetProperty("p0").Doubles()).RequiresGrad_();
            Q = Tensor.FromArray(problem.GetProperty("q0").Doubles(), 2, 2).RequiresGrad_();
        }

        public Tensor P { get; }
        public Tensor Q { get; }

        // One optimizer step on the loss (gradients recomputed from scratch), optionally clipping the gradient norm.
        public void Step(Optimizer optimizer, double? clip = null)
        {
            using var scope = DisposeScope.Enter();
            optimizer.ZeroGrad();
            var residual = _a.MatMul(P) - _b;
            ((residual * residual).Sum() + (Q * Q * _c).Sum()).Backward();
            if (clip is double limit) GradientClipping.ClipByNorm(optimizer.Parameters, limit);
            optimizer.Step();
        }
    }

    // Runs the least-squares problem with our optimizer and returns (p, q) after each step.
    private static List<(double[] P, double[] Q)> Run(Func<Tensor[], Optimizer> make, int steps = 6, double? clip = null)
    {
        using var scope = DisposeScope.Enter();
        var problem = new LeastSquares();
        using var optimizer = make([problem.P, problem.Q]);
        var result = new List<(double[], double[])>();
        for (int i = 0; i < steps; i++)
        {
            problem.Step(optimizer, clip);
            result.Add((problem.P.ToArray<double>(), problem.Q.ToArray<double>()));
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
    [DataRow(false, DisplayName = "one parameter at a time")]
    [DataRow(true, DisplayName = "foreach")]
    public void SgdMatchesTorch(bool foreachOps)
    {
        AssertTrajectory("sgd", Run(ps => new Sgd(ps, new SgdOptions { LearningRate = 0.05 }) { Foreach = foreachOps }), Reference("sgd"));
        AssertTrajectory("sgd_momentum_wd", Run(ps => new Sgd(ps, new SgdOptions
        { LearningRate = 0.05, Momentum = 0.9, WeightDecay = 0.01, Dampening = 0.1 }) { Foreach = foreachOps }), Reference("sgd_momentum_wd"));
        AssertTrajectory("sgd_nesterov", Run(ps => new Sgd(ps, new SgdOptions
        { LearningRate = 0.05, Momentum = 0.9, Nesterov = true }) { Foreach = foreachOps }), Reference("sgd_nesterov"));
    }

    [TestMethod]
    [DataRow(false, DisplayName = "one parameter at a time")]
    [DataRow(true, DisplayName = "foreach")]
    public void AdamAndAdamWMatchTorch(bool foreachOps)
    {
        AssertTrajectory("adam", Run(ps => new Adam(ps, new AdamOptions { LearningRate = 0.1 }) { Foreach = foreachOps }), Reference("adam"));
        AssertTrajectory("adam_wd", Run(ps => new Adam(ps, new AdamOptions
        { LearningRate = 0.1, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6, WeightDecay = 0.05 }) { Foreach = foreachOps }), Reference("adam_wd"));
        AssertTrajectory("adamw", Run(ps => new Adam(ps, new AdamOptions { LearningRate = 0.1, WeightDecay = 0.1, Decoupled = true })
        { Foreach = foreachOps }), Reference("adamw"));
    }

    [TestMethod]
    public void GradientNormClippingMatchesTorch()
    {
        AssertTrajectory("clipped_sgd", Run(ps => new Sgd(ps, new SgdOptions { LearningRate = 0.05 }), clip: 0.5),
            Fixture.GetProperty("clipped_sgd"));
    }

    [TestMethod]
    public void StateDictRoundTripContinuesIdentically()
    {
        // Six uninterrupted Adam steps equal three steps, a state save/restore into a fresh optimizer, and three more.
        var full = Run(ps => new Adam(ps, new AdamOptions { LearningRate = 0.1 }));
        using var scope = DisposeScope.Enter();
        var problem = new LeastSquares();
        Dictionary<string, Tensor> saved;
        using (var first = new Adam([problem.P, problem.Q], new AdamOptions { LearningRate = 0.1 }))
        {
            for (int i = 0; i < 3; i++) problem.Step(first);
            saved = first.StateDict();
        }
        using var second = new Adam([problem.P, problem.Q], new AdamOptions { LearningRate = 0.1 });
        second.LoadStateDict(saved);
        Assert.AreEqual(3, second.StepCount);
        for (int i = 0; i < 3; i++) problem.Step(second);
        CollectionAssert.AreEqual(full[5].P, problem.P.ToArray<double>());
        foreach (var t in saved.Values) t.Dispose();
    }

    [TestMethod]
    public void BadOptionsAndStateAreRejected()
    {
        using var scope = DisposeScope.Enter();
        var p = Tensor.Zeros([2]).RequiresGrad_();
        Assert.ThrowsExactly<ArgumentException>(() => new Sgd([p], new SgdOptions { Nesterov = true }));
        Assert.ThrowsExactly<ArgumentException>(() => new Sgd(Array.Empty<Tensor>()));
        using var adam = new Adam([p]);
        var bad = new Dictionary<string, Tensor> { ["state.0.exp_avg"] = Tensor.Zeros([3]) };
        var error = Assert.ThrowsExactly<InvalidDataException>(() => adam.LoadStateDict(bad));
        StringAssert.Contains(error.Message, "state.0.exp_avg");
    }
}
