using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Losses;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Training;
using MLNet.Segmentation.Training.Optimizers;

namespace MLNet.Segmentation.Tests.Training;

[TestClass]
public sealed class MixedPrecisionTests
{
    [TestMethod]
    public void CpuAutocastRunsConvolutionsInBFloat16AndRestoresFloat32()
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(1);
        using var conv = new Conv2d(2, 3, 3, padding: 1, generator: g);
        var x = Tensor.Randn([1, 2, 5, 5], generator: g);
        Assert.IsFalse(Autocast.IsEnabled(DeviceType.Cpu));
        Tensor inside;
        using (Autocast.Enable(Device.Cpu, DType.BFloat16))
        {
            Assert.IsTrue(Autocast.IsEnabled(DeviceType.Cpu));
            inside = conv.Forward(x);
            using (Autocast.Disable(DeviceType.Cpu)) Assert.AreEqual(DType.Float32, conv.Forward(x).DType, "disabled region");
            Assert.IsTrue(Autocast.IsEnabled(DeviceType.Cpu), "nested guard restored the outer state");
        }
        Assert.IsFalse(Autocast.IsEnabled(DeviceType.Cpu));
        Assert.AreEqual(DType.BFloat16, inside.DType);
        var outside = conv.Forward(x);
        Assert.AreEqual(DType.Float32, outside.DType);
        // bfloat16 keeps 8 mantissa bits: the results agree to about 1e-2 relative.
        double error = (inside.To(DType.Float32) - outside).Abs().Max().ToDouble();
        double scale = outside.Abs().Max().ToDouble();
        Assert.IsTrue(error < 2e-2 * scale && error > 0, $"bf16 error {error} vs scale {scale}");
    }

    [TestMethod]
    public void CpuFloat16AutocastAndFloat16TrainingOnCpuAreRejected()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Autocast.Enable(Device.Cpu, DType.Float16));
        StringAssert.Contains(e.Message, "BFloat16");
        Assert.ThrowsExactly<ArgumentException>(() => Autocast.Enable(Device.Cpu, DType.Float32));
        using var model = new Conv2d(1, 2, 1);
        var t = Assert.ThrowsExactly<ArgumentException>(() => new SegmentationTrainer(model, new CrossEntropyLoss(),
            new TrainerOptions { NumClasses = 2, Device = Device.Cpu, Precision = TrainingPrecision.Float16 }));
        StringAssert.Contains(t.Message, "CUDA");
    }

    [TestMethod]
    public void ScaledStepEqualsTheUnscaledStepAndOverflowSkipsAndBacksOff()
    {
        // Power-of-two scales make scaling and unscaling exact, so the parameters must match bit for bit.
        using var reference = Problem(out var referenceParameters);
        using var scaled = Problem(out var scaledParameters);
        var scaler = new GradientScaler(new GradientScalerOptions { InitialScale = 1024, GrowthInterval = 2 });
        for (int step = 0; step < 3; step++)
        {
            using var scope = DisposeScope.Enter();
            reference.ZeroGrad();
            Loss(referenceParameters).Backward();
            reference.Step();
            scaled.ZeroGrad();
            scaler.Scale(Loss(scaledParameters)).Backward();
            Assert.IsTrue(scaler.Step(scaled));
            scaler.Update();
        }
        CollectionAssert.AreEqual(referenceParameters[0].ToArray<float>(), scaledParameters[0].ToArray<float>());
        Assert.AreEqual(2048, scaler.CurrentScale, "grew once after two finite steps");

        var before = scaledParameters[0].ToArray<float>();
        using (DisposeScope.Enter())
        {
            scaled.ZeroGrad();
            scaler.Scale(Loss(scaledParameters) * double.PositiveInfinity).Backward();
            Assert.IsFalse(scaler.Step(scaled), "an infinite gradient skips the step");
            scaler.Update();
        }
        CollectionAssert.AreEqual(before, scaledParameters[0].ToArray<float>());
        Assert.AreEqual(1024, scaler.CurrentScale);
        Assert.AreEqual(1, scaler.SkippedSteps);
    }

    [TestMethod]
    public void BFloat16TrainingOnTheCpuFollowsFloat32AndKeepsFloat32Weights()
    {
        (TrainingResult Result, Sequential Model) Train(TrainingPrecision precision)
        {
            using var train = new InMemoryBatchSource(32, 3, 12, 8, seed: 1);
            using var g = new Generator(5);
            var model = new Sequential(new Conv2d(3, 8, 3, padding: 1, generator: g), new ReLU(), new Conv2d(8, 3, 1, generator: g));
            var result = new SegmentationTrainer(model, new CrossEntropyLoss(), new TrainerOptions
            {
                NumClasses = 3, Epochs = 5, Optimizer = OptimizerKind.Adam, LearningRate = 0.05, Device = Device.Cpu, Precision = precision, Seed = 3,
            }).Fit(train);
            return (result, model);
        }
        var (full, fullModel) = Train(TrainingPrecision.Float32);
        var (half, halfModel) = Train(TrainingPrecision.BFloat16);
        using (fullModel)
        using (halfModel)
        {
            for (int e = 0; e < 5; e++)
                Assert.AreEqual(full.History[e].TrainLoss, half.History[e].TrainLoss, 0.03 * full.History[e].TrainLoss,
                    $"epoch {e + 1}: bf16 follows fp32 within bf16 rounding");
            Assert.IsTrue(half.History[^1].TrainLoss < 0.85 * half.History[0].TrainLoss,
                string.Join(" ", half.History.Select(h => h.TrainLoss.ToString("F4"))));
            Assert.AreNotEqual(full.History[^1].TrainLoss, half.History[^1].TrainLoss, "bf16 really ran in lower precision");
            Assert.IsTrue(halfModel.Parameters().All(p => p.DType == DType.Float32));
        }
        Assert.IsFalse(Autocast.IsEnabled(DeviceType.Cpu));
    }

    private static Sgd Problem(out Tensor[] parameters)
    {
        using var g = new Generator(11);
        var w = Tensor.Randn([4, 3], generator: g).RequiresGrad_();
        parameters = [w];
        return new Sgd([w], new SgdOptions { LearningRate = 0.125, Momentum = 0.5 });
    }

    private static Tensor Loss(Tensor[] parameters)
    {
        var target = Tensor.FromArray(Enumerable.Range(0, 12).Select(i => (float)(i % 5) - 2).ToArray(), 4, 3);
        var diff = parameters[0] - target;
        return (diff * diff).Sum();
    }
}
