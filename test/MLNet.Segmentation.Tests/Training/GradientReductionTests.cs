using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Training;
using MLNet.Segmentation.Training.Optimizers;

namespace MLNet.Segmentation.Tests.Training;

/// <summary>
/// Gradient-norm clipping and the loss scaler's unscale-and-check over many parameters, one gradient at a time and
/// with multi-tensor ops (forced on the CPU; the default on CUDA), against sums worked out in float64 here.
/// </summary>
[TestClass]
public sealed class GradientReductionTests
{
    // 70 float32 parameters of varied shapes (more than an op call's inline list), with seeded gradients; one without.
    private static List<Tensor> Parameters(int seed, DType dtype = DType.Float32)
    {
        var generator = new Generator((ulong)seed);
        var parameters = new List<Tensor>();
        for (int k = 0; k < 70; k++)
        {
            var parameter = Tensor.Zeros([1 + k % 4, 2 + k % 5], dtype: dtype).RequiresGrad_();
            if (k != 3) parameter.Grad = Tensor.Randn(parameter.Shape, generator, dtype);
            parameters.Add(parameter);
        }
        return parameters;
    }

    private static double JointNormInDouble(IEnumerable<Tensor> parameters) =>
        Math.Sqrt(parameters.Where(p => p.Grad is not null).Sum(p => p.Grad!.To(DType.Float64).ToArray<double>().Sum(v => v * v)));

    [TestMethod]
    [DataRow(null, DisplayName = "default (CPU: one at a time)")]
    [DataRow(false, DisplayName = "one at a time")]
    [DataRow(true, DisplayName = "foreach")]
    public void ClipByNormScalesToTheLimitAndReturnsTheJointNorm(bool? foreachOps)
    {
        using var scope = DisposeScope.Enter();
        var parameters = Parameters(1);
        var before = parameters.Select(p => p.Grad?.ToArray<float>()).ToList();
        double expected = JointNormInDouble(parameters);
        Assert.IsTrue(expected > 10, $"the fixture's norm {expected} is above the limit");

        double norm = GradientClipping.ClipByNorm(parameters, 2.0, foreachOps);
        Assert.AreEqual(expected, norm, 1e-5 * expected);
        double coefficient = 2.0 / (norm + 1e-6);
        for (int k = 0; k < parameters.Count; k++)
        {
            if (before[k] is not { } values) { Assert.IsNull(parameters[k].Grad); continue; }
            CollectionAssert.AreEqual(values.Select(v => v * (float)coefficient).ToArray(), parameters[k].Grad!.ToArray<float>(), $"grad {k}");
        }
        Assert.AreEqual(2.0, JointNormInDouble(parameters), 1e-5);

        // Below the limit nothing changes.
        var clipped = parameters.Select(p => p.Grad?.ToArray<float>()).ToList();
        Assert.AreEqual(2.0, GradientClipping.ClipByNorm(parameters, 100, foreachOps), 1e-5);
        for (int k = 0; k < parameters.Count; k++) CollectionAssert.AreEqual(clipped[k], parameters[k].Grad?.ToArray<float>());
    }

    [TestMethod]
    public void ClipByNormOverMixedDtypesCombinesInFloat64()
    {
        using var scope = DisposeScope.Enter();
        var parameters = Parameters(2).Take(10).Concat(Parameters(3, DType.Float64).Take(10)).ToList();
        double expected = JointNormInDouble(parameters);
        Assert.AreEqual(expected, GradientClipping.ClipByNorm(parameters, 1.0, foreachOps: true), 1e-5 * expected);
        Assert.AreEqual(1.0, JointNormInDouble(parameters), 1e-5);
    }

    [TestMethod]
    [DataRow(false, DisplayName = "one at a time")]
    [DataRow(true, DisplayName = "foreach")]
    public void UnscaleFindsEveryNonFiniteGradientAndOnlyThose(bool foreachOps)
    {
        foreach (var (value, finite) in new[] { (float.PositiveInfinity, false), (float.NaN, false), (float.NegativeInfinity, false), (3e38f, true) })
        {
            using var scope = DisposeScope.Enter();
            var parameters = Parameters(4);
            // Two elements of 3e38 would sum past float32's range; the check must still call them finite.
            parameters[40].Grad!.Fill(value);
            parameters[41].Grad!.Fill(3e38f);
            using var optimizer = new Sgd(parameters) { Foreach = foreachOps };
            var scaler = new GradientScaler(new GradientScalerOptions { InitialScale = 4 });
            var before = parameters[7].Grad!.ToArray<float>();
            Assert.AreEqual(finite, scaler.Unscale(optimizer), $"a gradient of {value}");
            CollectionAssert.AreEqual(before.Select(v => v / 4).ToArray(), parameters[7].Grad!.ToArray<float>(), "unscaled by 1/4, exactly");
        }
    }
}
