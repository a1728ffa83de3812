using MLNet.Segmentation.Training.Optimizers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Training;

/// <summary>The package's Scalar-safe optimizer steps take the same steps as TorchSharp's AdamW, Adam and SGD.</summary>
[TestClass]
public sealed class ScalarSafeOptimizerTests
{
    private const int Steps = 6;

    [TestMethod]
    public void AdamWMatchesTorchSharp() =>
        AssertSameTrajectory(p => optim.AdamW(p, 0.01, weight_decay: 0.1), p => new SafeAdamW(p, 0.01, 0.1));

    [TestMethod]
    public void AdamMatchesTorchSharp() =>
        AssertSameTrajectory(p => optim.Adam(p, 0.01, weight_decay: 0.1), p => new SafeAdam(p, 0.01, 0.1));

    [TestMethod]
    public void SgdWithMomentumMatchesTorchSharp() =>
        AssertSameTrajectory(p => optim.SGD(p, 0.05, momentum: 0.9, weight_decay: 1e-3), p => new SafeSgd(p, 0.05, 0.9, 1e-3, nesterov: false));

    [TestMethod]
    public void NesterovSgdMatchesTorchSharp() =>
        AssertSameTrajectory(p => optim.SGD(p, 0.05, momentum: 0.9, nesterov: true), p => new SafeSgd(p, 0.05, 0.9, 0, nesterov: true));

    [TestMethod]
    public void PlainSgdMatchesTorchSharp() =>
        AssertSameTrajectory(p => optim.SGD(p, 0.05), p => new SafeSgd(p, 0.05, 0, 0, nesterov: false));

    private static void AssertSameTrajectory(Func<IEnumerable<Parameter>, OptimizerHelper> reference, Func<IEnumerable<Parameter>, OptimizerHelper> ours)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(11);
        var start = randn([4, 3], generator: generator);
        var inputs = randn([3, 5], generator: generator);
        var theirs = Train(reference, start, inputs);
        var mine = Train(ours, start, inputs);
        Assert.IsTrue(TensorAssert.MaxAbsDifference(theirs, start) > 1e-3, "the steps move the parameters");
        Assert.IsTrue(TensorAssert.MaxAbsDifference(mine, theirs) < 1e-6, $"difference {TensorAssert.MaxAbsDifference(mine, theirs)}");
    }

    // Steps on a small least-squares problem whose gradient changes every step.
    private static Tensor Train(Func<IEnumerable<Parameter>, OptimizerHelper> make, Tensor start, Tensor inputs)
    {
        var parameter = new Parameter(start.clone());
        using var optimizer = make([parameter]);
        for (int step = 0; step < Steps; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var output = parameter.matmul(inputs);
            var loss = (output - output.detach().sin()).square().sum();
            loss.backward();
            optimizer.step();
        }
        return parameter.detach().clone();
    }
}
