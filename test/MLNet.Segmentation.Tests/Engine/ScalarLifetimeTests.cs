using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Engine;

/// <summary>
/// The package hands libtorch only Scalars it owns: TorchSharp 0.107 lets the finalizer free a temporary Scalar while
/// libtorch reads it (the rare "Unknown scalar type" of long CamVid runs). Checked on the package's IL.
/// </summary>
[TestClass]
public sealed class ScalarLifetimeTests
{
    private static readonly Lazy<ScalarLifetimeCheck> Check = new(() => new ScalarLifetimeCheck(IlCallGraph.Read(typeof(torch).Assembly.Location)));

    [TestMethod]
    public void ThePackagePassesOnlyOwnedScalars()
    {
        var package = IlCallGraph.Read(typeof(OwnedScalars).Assembly.Location);
        Assert.IsTrue(package.Methods.Count > 1000, $"{package.Methods.Count} methods read");
        var problems = Check.Value.Problems(package, typeof(OwnedScalars).FullName!);
        Assert.AreEqual(0, problems.Count, string.Join("\n", problems));
    }

    [TestMethod]
    public void TheCheckKnowsTorchSharpsTemporaries()
    {
        var check = Check.Value;
        Assert.IsTrue(check.IsUnsafe("TorchSharp.torch+Tensor::op_Addition(TorchSharp.torch+Tensor,TorchSharp.torch+Tensor)"), "tensor + tensor (alpha = 1)");
        Assert.IsTrue(check.IsUnsafe("TorchSharp.torch+Tensor::op_Multiply(TorchSharp.torch+Tensor,Double)"), "tensor * double");
        Assert.IsTrue(check.IsUnsafe("TorchSharp.torch+Tensor::add_(TorchSharp.torch+Tensor)"));
        Assert.IsFalse(check.IsUnsafe("TorchSharp.torch+Tensor::mul(TorchSharp.Scalar)"), "a Scalar the caller passes is the caller's");
        Assert.IsFalse(check.IsUnsafe("TorchSharp.torch+Tensor::op_Subtraction(TorchSharp.torch+Tensor,TorchSharp.torch+Tensor)"));
        CollectionAssert.AreEquivalent(new[] { "forward" }, check.UnsafeVirtuals("TorchSharp.Modules.BatchNorm2d").ToArray(), "num_batches_tracked += 1");
        CollectionAssert.AreEquivalent(new[] { "step" }, check.UnsafeVirtuals("TorchSharp.Modules.AdamW").ToArray());
        CollectionAssert.AreEquivalent(new[] { "step" }, check.UnsafeVirtuals("TorchSharp.Modules.SGD").ToArray());
        Assert.AreEqual(0, check.UnsafeVirtuals("TorchSharp.Modules.ReLU").Count);
    }

    [TestMethod]
    public void TheCheckFlagsCodeWrittenTheTorchSharpWayAndPassesOwnedScalars()
    {
        var tests = IlCallGraph.Read(typeof(ScalarLifetimeTests).Assembly.Location);
        var problems = Check.Value.Problems(tests);
        string Of(string method) => string.Join("\n", problems.Where(p => p.Contains($"ScalarLifetimeTests::{method}(", StringComparison.Ordinal)));

        StringAssert.Contains(Of(nameof(WrittenTheTorchSharpWay)), "op_Addition");
        StringAssert.Contains(Of(nameof(WrittenTheTorchSharpWay)), "op_Multiply");
        StringAssert.Contains(Of(nameof(ConvertsWithoutDisposing)), "does not dispose");
        StringAssert.Contains(Of(nameof(MakesTorchSharpsBatchNorm)), "TorchSharp.Modules.BatchNorm2d, whose forward");
        StringAssert.Contains(Of(nameof(MakesTorchSharpsAdamW)), "TorchSharp.Modules.AdamW, whose step");
        Assert.AreEqual("", Of(nameof(WrittenWithOwnedScalars)));
        Assert.AreEqual("", Of(nameof(MakesTheSafeBatchNorm)));
    }

    [TestMethod]
    public void OwnedScalarArithmeticMatchesTorchSharpsOperators()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { -2, 0.5f, 3 });
        var ids = tensor(new long[] { 0, 5, 11 });
        Assert.AreEqual(0.0, TensorAssert.MaxAbsDifference(x * 2.5 + x, WrittenWithOwnedScalars(x)));
        Assert.AreEqual(0.0, TensorAssert.MaxAbsDifference(1.0 - x, x.SubtractedFrom(1.0)));
        Assert.AreEqual(0.0, TensorAssert.MaxAbsDifference(x.clamp(0, 1), x.Clamped(0, 1)));
        Assert.AreEqual(0.0, TensorAssert.MaxAbsDifference(x / 4.0, x.DividedBy(4.0)));
        Assert.AreEqual(0.0, TensorAssert.MaxAbsDifference(x.pow(2), x.Power(2)));
        Assert.AreEqual(ScalarType.Int64, ids.Times(3L).dtype, "integer factors keep integer tensors integral");
        CollectionAssert.AreEqual(new long[] { 0, 15, 33 }, ids.Times(3L).data<long>().ToArray());
        CollectionAssert.AreEqual(new long[] { -1, 4, 10 }, ids.Minus(1L).data<long>().ToArray());
        CollectionAssert.AreEqual(new long[] { 7, 5, 7 }, ids.MaskedFill(ids.NotEqualTo(5), 7L).data<long>().ToArray());
    }

    // Written the TorchSharp way: each operator makes a temporary Scalar.
    private static Tensor WrittenTheTorchSharpWay(Tensor x) => x * 2.5 + x;

    private static Tensor WrittenWithOwnedScalars(Tensor x) => x.Times(2.5).Plus(x);

    private static Tensor ConvertsWithoutDisposing(Tensor x) => x.mul(2.5.ToScalar());

    private static nn.Module<Tensor, Tensor> MakesTorchSharpsBatchNorm() => nn.BatchNorm2d(4);

    private static nn.Module<Tensor, Tensor> MakesTheSafeBatchNorm() => Layers.BatchNorm2d(4);

    private static optim.Optimizer MakesTorchSharpsAdamW(IEnumerable<TorchSharp.Modules.Parameter> parameters) => optim.AdamW(parameters);
}
