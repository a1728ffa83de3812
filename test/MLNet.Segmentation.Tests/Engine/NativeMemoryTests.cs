using System.Diagnostics;
using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Tests.Engine;

[TestClass]
public sealed class NativeMemoryTests
{
    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }

    private static void TrainingStep(Tensor input, Tensor weight, Tensor bias, Tensor target)
    {
        using var scope = DisposeScope.Enter();
        var hidden = Functional.Relu(Functional.Conv2d(input, weight, bias, padding: 1));
        var logits = Functional.Interpolate(hidden, (16, 16), InterpolationMode.Bilinear);
        var loss = Functional.CrossEntropy(logits, target);
        loss.Backward();
        using (Autograd.NoGrad())
        {
            weight.AddInPlace(weight.Grad!, -1e-3);
            bias.AddInPlace(bias.Grad!, -1e-3);
        }
        weight.ZeroGrad();
        bias.ZeroGrad();
    }

    [TestMethod]
    public void TenThousandForwardBackwardStepsKeepResidentMemoryFlat()
    {
        using var generator = new Generator(1);
        using var input = Tensor.Randn([2, 3, 8, 8], generator).DetachFromDisposeScope();
        using var weight = (Tensor.Randn([4, 3, 3, 3], generator) * 0.1).RequiresGrad_();
        using var bias = Tensor.Zeros([4]).RequiresGrad_();
        using var target = Tensor.RandInt(0, 4, [2, 16, 16], generator);

        for (int i = 0; i < 1_000; i++) TrainingStep(input, weight, bias, target);
        long before = ResidentBytes();
        for (int i = 0; i < 10_000; i++) TrainingStep(input, weight, bias, target);
        long after = ResidentBytes();

        long growth = after - before;
        Assert.IsTrue(growth < 50L * 1024 * 1024, $"resident memory grew by {growth / (1024.0 * 1024.0):F1} MB over 10,000 steps");
    }

    [TestMethod]
    public void DisposeScopeFreesEverythingButMovedTensors()
    {
        Tensor kept, inner, dropped;
        using (var outer = DisposeScope.Enter())
        {
            using (var scope = DisposeScope.Enter())
            {
                dropped = Tensor.Ones([3]);
                inner = (dropped * 2).MoveToOuterDisposeScope();
                kept = (dropped + 1).DetachFromDisposeScope();
                Assert.AreEqual(1, scope.OwnedCount);
            }
            Assert.IsTrue(dropped.IsDisposed);
            Assert.IsFalse(inner.IsDisposed);
            Assert.AreEqual(6.0, inner.Sum().ToDouble());
        }
        Assert.IsTrue(inner.IsDisposed, "moved to the outer scope, freed with it");
        Assert.IsFalse(kept.IsDisposed, "detached tensors belong to the caller");
        Assert.AreEqual(6.0, kept.Sum().ToDouble());
        kept.Dispose();
        Assert.IsNull(DisposeScope.Current);
    }
}
