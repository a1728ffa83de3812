using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Losses;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Training;
using TorchSharp;
using TorchSharp.Modules;
using CrossEntropyLoss = MLNet.Segmentation.Losses.CrossEntropyLoss;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Training;

[TestClass]
public sealed class MixedPrecisionTests
{
    [TestMethod]
    public void Float16TrainingOnTheCpuIsRejected()
    {
        using var model = Layers.Conv2d(1, 2, 1);
        var t = Assert.ThrowsExactly<ArgumentException>(() => new SegmentationTrainer(model, new CrossEntropyLoss(),
            new TrainerOptions { NumClasses = 2, Device = CPU, Precision = TrainingPrecision.Float16 }));
        StringAssert.Contains(t.Message, "CUDA");
    }

    [TestMethod]
    public void ScaledStepEqualsTheUnscaledStepAndOverflowSkipsAndBacksOff()
    {
        // Power-of-two scales make scaling and unscaling exact, so the parameters must match bit for bit.
        var (reference, referenceParameter) = Problem();
        var (scaled, scaledParameter) = Problem();
        using (reference)
        using (scaled)
        {
            var scaler = new GradientScaler(new GradientScalerOptions { InitialScale = 1024, GrowthInterval = 2 });
            for (int step = 0; step < 3; step++)
            {
                using var scope = NewDisposeScope();
                reference.zero_grad();
                Loss(referenceParameter).backward();
                reference.step();
                scaled.zero_grad();
                scaler.Scale(Loss(scaledParameter)).backward();
                Assert.IsTrue(scaler.Step(scaled, [scaledParameter]));
                scaler.Update();
            }
            CollectionAssert.AreEqual(TensorData.ToArray<float>(referenceParameter), TensorData.ToArray<float>(scaledParameter));
            Assert.AreEqual(2048, scaler.CurrentScale, "grew once after two finite steps");

            var before = TensorData.ToArray<float>(scaledParameter);
            using (NewDisposeScope())
            {
                scaled.zero_grad();
                scaler.Scale(Loss(scaledParameter) * double.PositiveInfinity).backward();
                Assert.IsFalse(scaler.Step(scaled, [scaledParameter]), "an infinite gradient skips the step");
                scaler.Update();
            }
            CollectionAssert.AreEqual(before, TensorData.ToArray<float>(scaledParameter));
            Assert.AreEqual(1024, scaler.CurrentScale);
            Assert.AreEqual(1, scaler.SkippedSteps);
        }
    }

    [TestMethod]
    public void FiniteGradientsWhoseSumOverflowsFloat32StillStep()
    {
        // Many gradients near float32's maximum: their sum overflows float32, each is finite, so the step happens.
        var parameters = Enumerable.Range(0, 8).Select(_ => new Parameter(zeros(4))).ToList();
        foreach (var p in parameters) p.grad = full(4, 3e38f);
        var scaler = new GradientScaler(new GradientScalerOptions { InitialScale = 1 });
        Assert.IsTrue(scaler.Unscale(parameters));
        parameters[5].grad![2] = float.NaN;
        scaler.Update();
        Assert.IsFalse(scaler.Unscale(parameters), "a NaN is found");
    }

    [TestMethod]
    public void BFloat16TrainingOnTheCpuFollowsFloat32AndKeepsFloat32Weights()
    {
        (TrainingResult Result, Sequential Model) Train(TrainingPrecision precision)
        {
            using var train = new InMemoryBatchSource(32, 3, 12, 8, seed: 1);
            random.manual_seed(5);
            var model = nn.Sequential(Layers.Conv2d(3, 8, 3, padding: 1), nn.ReLU(), Layers.Conv2d(8, 3, 1));
            var result = new SegmentationTrainer(model, new CrossEntropyLoss(), new TrainerOptions
            {
                NumClasses = 3, Epochs = 5, Optimizer = OptimizerKind.Adam, LearningRate = 0.05, Device = CPU, Precision = precision, Seed = 3,
            }).Fit(train);
            return (result, model);
        }
        var (full, fullModel) = Train(TrainingPrecision.Float32);
        var (half, halfModel) = Train(TrainingPrecision.BFloat16);
        using (fullModel)
        using (halfModel)
        {
            for (int e = 0; e < 5; e++)
                Assert.AreEqual(full.History[e].TrainLoss, half.History[e].TrainLoss, 0.01 * full.History[e].TrainLoss,
                    $"epoch {e + 1}: bf16 follows fp32 within bf16 rounding: fp32 {string.Join(" ", full.History.Select(h => h.TrainLoss.ToString("F4")))}, bf16 {string.Join(" ", half.History.Select(h => h.TrainLoss.ToString("F4")))}");
            Assert.IsTrue(half.History[^1].TrainLoss < 0.85 * half.History[0].TrainLoss,
                string.Join(" ", half.History.Select(h => h.TrainLoss.ToString("F4"))));
            Assert.AreNotEqual(full.History[^1].TrainLoss, half.History[^1].TrainLoss, "bf16 really ran in lower precision");
            Assert.IsTrue(halfModel.parameters().All(p => p.dtype == ScalarType.Float32));
        }
        Assert.IsFalse(Autocast.IsEnabled(DeviceType.CPU));
    }

    private static (optim.Optimizer Optimizer, Parameter Weight) Problem()
    {
        using var g = new Generator(11);
        var w = new Parameter(randn([4, 3], generator: g));
        return (optim.SGD([w], 0.125, momentum: 0.5), w);
    }

    private static Tensor Loss(Tensor parameter)
    {
        var target = TensorData.FromArray(Enumerable.Range(0, 12).Select(i => (float)(i % 5) - 2).ToArray(), 4, 3);
        var diff = parameter - target;
        return (diff * diff).sum();
    }
}
