using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Training.Optimizers;

namespace MLNet.Segmentation.Tests.Training;

/// <summary>
/// The multi-tensor (foreach) optimizer step against the one-parameter-at-a-time step on a real network's 188
/// parameter tensors (more than an operator call's inline list holds): the same ops in the same order, so on the CPU
/// the results must be identical, bit for bit. Their agreement with torch.optim is in <see cref="OptimizerTests"/>.
/// </summary>
[TestClass]
public sealed class ForeachOptimizerTests
{
    private static readonly Func<IReadOnlyList<Tensor>, bool?, Optimizer>[] Optimizers =
    [
        (ps, f) => new Adam(ps, new AdamOptions { LearningRate = 1e-2 }) { Foreach = f },
        (ps, f) => new Adam(ps, new AdamOptions { LearningRate = 1e-2, WeightDecay = 0.05 }) { Foreach = f },
        (ps, f) => new Adam(ps, new AdamOptions { LearningRate = 1e-2, WeightDecay = 0.1, Decoupled = true }) { Foreach = f },
        (ps, f) => new Sgd(ps, new SgdOptions { LearningRate = 0.05, Momentum = 0.9, Dampening = 0.1, WeightDecay = 0.01 }) { Foreach = f },
        (ps, f) => new Sgd(ps, new SgdOptions { LearningRate = 0.05, Momentum = 0.9, Nesterov = true }) { Foreach = f },
        (ps, f) => new Sgd(ps, new SgdOptions { LearningRate = 0.05 }) { Foreach = f },
    ];

    // DeepLab v3+ (ResNet-50) with every width divided by 16: 188 parameter tensors, a few thousand values.
    private static Module Network() =>
        ModelCatalog.Create("deeplabv3plus-resnet50", new ModelBuildSettings(3, 3, 16, new Generator(7)));

    // Three steps from fixed gradients; the first parameter gets no gradient in step 1 (skipped, and its momentum
    // buffer starts in step 2, inside a foreach step whose other buffers continue). Returns every parameter's values.
    private static float[][] Train(Func<IReadOnlyList<Tensor>, bool?, Optimizer> make, bool? foreachOps, out long foreachSteps, int switchAfter = -1)
    {
        using var scope = DisposeScope.Enter();
        var parameters = Network().Parameters().ToList();
        var optimizer = make(parameters, foreachOps);
        var generator = new Generator(11);
        try
        {
            for (int step = 1; step <= 3; step++)
            {
                using var inner = DisposeScope.Enter();
                for (int k = 0; k < parameters.Count; k++)
                    parameters[k].Grad = step == 1 && k == 0 ? null : Tensor.Randn(parameters[k].Shape, generator);
                optimizer.Step();
                if (step == switchAfter)
                {
                    // Carry the state over to an optimizer of the other kind: the state names are shared.
                    var state = optimizer.StateDict();
                    optimizer.Dispose();
                    optimizer = make(parameters, !foreachOps);
                    optimizer.LoadStateDict(state);
                    foreach (var tensor in state.Values) tensor.Dispose();
                }
            }
            foreachSteps = optimizer.ForeachSteps;
            return parameters.Select(p => p.ToArray<float>()).ToArray();
        }
        finally
        {
            optimizer.Dispose();
        }
    }

    [TestMethod]
    public void ForeachStepEqualsOneParameterAtATimeBitForBit()
    {
        for (int o = 0; o < Optimizers.Length; o++)
        {
            var each = Train(Optimizers[o], false, out long eachForeachSteps);
            var batched = Train(Optimizers[o], true, out long foreachSteps);
            Assert.AreEqual(0, eachForeachSteps, $"optimizer {o}: foreach off");
            Assert.AreEqual(3, foreachSteps, $"optimizer {o}: every step went through the foreach path");
            Assert.AreEqual(188, each.Length);
            for (int k = 0; k < each.Length; k++) CollectionAssert.AreEqual(each[k], batched[k], $"optimizer {o}, parameter {k}");
            Assert.IsTrue(each.Zip(Train(Optimizers[o], false, out _)).All(pair => pair.First.SequenceEqual(pair.Second)), "deterministic");
        }
    }

    [TestMethod]
    public void StateMovesBetweenForeachAndOneAtATimeSteps()
    {
        for (int o = 0; o < Optimizers.Length; o++)
        {
            var reference = Train(Optimizers[o], false, out _);
            var fromForeach = Train(Optimizers[o], true, out _, switchAfter: 2);
            var toForeach = Train(Optimizers[o], false, out _, switchAfter: 1);
            for (int k = 0; k < reference.Length; k++)
            {
                CollectionAssert.AreEqual(reference[k], fromForeach[k], $"optimizer {o}, parameter {k}: foreach, then one at a time");
                CollectionAssert.AreEqual(reference[k], toForeach[k], $"optimizer {o}, parameter {k}: one at a time, then foreach");
            }
        }
    }

    [TestMethod]
    public void CpuParametersDefaultToOneAtATime()
    {
        Train(Optimizers[0], null, out long foreachSteps);
        Assert.AreEqual(0, foreachSteps);
    }

    [TestMethod]
    public void MixedDtypesFallBackToOneAtATime()
    {
        using var scope = DisposeScope.Enter();
        var single = Tensor.FromArray(new float[] { 1, 2, 3 }).RequiresGrad_();
        var dual = Tensor.FromArray(new double[] { 1, 2 }).RequiresGrad_();
        using var optimizer = new Adam([single, dual], new AdamOptions { LearningRate = 0.5 }) { Foreach = true };
        single.Grad = Tensor.FromArray(new float[] { 1, -1, 0 });
        dual.Grad = Tensor.FromArray(new double[] { -2, 2 });
        optimizer.Step();
        Assert.AreEqual(0, optimizer.ForeachSteps);
        // Adam's first step moves each value by -lr * g / (|g| + eps): lr against the gradient's sign, or nothing.
        double move = 0.5 * 2 / (2 + 1e-8);
        Assert.AreEqual(1 + move, dual.ToArray<double>()[0], 1e-15);
        Assert.AreEqual(2 - move, dual.ToArray<double>()[1], 1e-15);
        CollectionAssert.AreEqual(new[] { 0.5f, 2.5f, 3f }, single.ToArray<float>());
    }
}
