using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Engine;

/// <summary>
/// <see cref="Autocast"/> switches libtorch's own per-thread autocast state (through its C++ exports), so libtorch's CPU
/// rules apply: convolutions run in bfloat16, losses in float32, and ops on neither list in their inputs' dtype.
/// </summary>
[TestClass]
public sealed class AutocastTests
{
    private static (Tensor Input, Tensor Weight) ConvOperands()
    {
        using var g = new Generator(3);
        return (randn([1, 3, 8, 8], generator: g), randn([4, 3, 3, 3], generator: g));
    }

    [TestMethod]
    public void OutsideARegionAutocastIsOffAndConvolutionsStayFloat32()
    {
        using var scope = NewDisposeScope();
        Assert.IsFalse(Autocast.IsEnabled(DeviceType.CPU));
        Assert.IsFalse(Autocast.IsEnabled(DeviceType.CUDA));
        Assert.AreEqual(ScalarType.BFloat16, Autocast.PrecisionOf(DeviceType.CPU), "libtorch's default CPU autocast dtype");
        var (x, w) = ConvOperands();
        Assert.AreEqual(ScalarType.Float32, nn.functional.conv2d(x, w).dtype);
    }

    [TestMethod]
    public void InsideACpuBFloat16RegionConvolutionsRunInBFloat16AndLossesInFloat32()
    {
        using var scope = NewDisposeScope();
        var (x, w) = ConvOperands();
        using var conv = Layers.Conv2d(3, 4, 3, padding: 1);
        var reference = nn.functional.conv2d(x, w);
        using (Autocast.Enable(CPU, ScalarType.BFloat16))
        {
            Assert.IsTrue(Autocast.IsEnabled(DeviceType.CPU));
            Assert.IsFalse(Autocast.IsEnabled(DeviceType.CUDA), "per device type");
            Assert.AreEqual(ScalarType.BFloat16, Autocast.PrecisionOf(DeviceType.CPU));

            var y = nn.functional.conv2d(x, w);
            Assert.AreEqual(ScalarType.BFloat16, y.dtype, "conv2d is on the lower-precision list");
            // Values through our channel padding (libtorch's own bfloat16 convolution is wrong for 4 output channels here).
            var padded = OneDnnChannelPadding.Conv2d(x, w, null, [1, 1], [0, 0], [1, 1]);
            Assert.AreEqual(ScalarType.BFloat16, padded.dtype);
            double error = TensorAssert.RelativeError(padded, reference);
            Assert.IsTrue(error is > 0 and < 0.02, $"a bfloat16 result close to float32 (relative error {error:E2})");
            var z = conv.call(x);
            Assert.AreEqual(ScalarType.BFloat16, z.dtype, "our layers go through the same dispatcher");
            Assert.AreEqual(ScalarType.BFloat16, nn.functional.conv_transpose2d(y, w).dtype);
            Assert.AreEqual(ScalarType.BFloat16, matmul(x.reshape(3, 64), x.reshape(3, 64).t()).dtype);

            // Losses are on the float32 list: bfloat16 logits come out as a float32 loss.
            var logits = z.reshape(1, 4, 64);
            var target = zeros([1, 64], ScalarType.Int64);
            Assert.AreEqual(ScalarType.Float32, nn.functional.cross_entropy(logits, target).dtype);
            Assert.AreEqual(ScalarType.Float32, nn.functional.mse_loss(z, z.detach() * 0.5).dtype);
            Assert.AreEqual(ScalarType.Float32, nn.functional.nll_loss(logits, target).dtype);
            // Ops on neither list (softmax, sums, elementwise) keep their inputs' dtype: float32 in, float32 out.
            Assert.AreEqual(ScalarType.Float32, nn.functional.softmax(x, 1).dtype);
            Assert.AreEqual(ScalarType.Float32, nn.functional.log_softmax(x, 1).dtype);
            Assert.AreEqual(ScalarType.Float32, (x * 2).sum().dtype);
            Assert.AreEqual(ScalarType.BFloat16, nn.functional.softmax(z, 1).dtype, "and bfloat16 in, bfloat16 out");
        }
        Assert.IsFalse(Autocast.IsEnabled(DeviceType.CPU));
        Assert.AreEqual(ScalarType.Float32, nn.functional.conv2d(x, w).dtype);
    }

    [TestMethod]
    public void GradientsOfABFloat16RegionReachFloat32Parameters()
    {
        using var scope = NewDisposeScope();
        var (x, _) = ConvOperands();
        using var conv = Layers.Conv2d(3, 5, 3, padding: 1);
        Tensor loss;
        using (Autocast.Enable(CPU, ScalarType.BFloat16))
            loss = nn.functional.cross_entropy(conv.call(x), zeros([1, 8, 8], ScalarType.Int64));
        Assert.AreEqual(ScalarType.Float32, loss.dtype);
        loss.backward();
        Assert.AreEqual(ScalarType.Float32, conv.weight.grad!.dtype, "gradients in the parameters' dtype");
        Assert.AreEqual(ScalarType.Float32, conv.weight.dtype, "parameters are not cast in place");
        Assert.IsTrue(conv.weight.grad!.abs().sum().item<float>() > 0);
    }

    [TestMethod]
    public void RegionsNestAndRestoreThePreviousState()
    {
        using var scope = NewDisposeScope();
        var (x, w) = ConvOperands();
        using (Autocast.Enable(CPU, ScalarType.BFloat16))
        {
            using (Autocast.Enable(CPU, ScalarType.BFloat16))
            {
                Assert.IsTrue(Autocast.IsEnabled(DeviceType.CPU));
                Assert.AreEqual(ScalarType.BFloat16, nn.functional.conv2d(x, w).dtype);
                using (Autocast.Disable(DeviceType.CPU))
                {
                    Assert.IsFalse(Autocast.IsEnabled(DeviceType.CPU));
                    Assert.AreEqual(ScalarType.Float32, nn.functional.conv2d(x, w).dtype, "a float32 block inside");
                }
                Assert.IsTrue(Autocast.IsEnabled(DeviceType.CPU), "re-enabled after the inner block");
            }
            Assert.IsTrue(Autocast.IsEnabled(DeviceType.CPU), "the outer region is still on");
            Assert.AreEqual(ScalarType.BFloat16, nn.functional.conv2d(x, w).dtype);
        }
        Assert.IsFalse(Autocast.IsEnabled(DeviceType.CPU));
        Assert.AreEqual(ScalarType.BFloat16, Autocast.PrecisionOf(DeviceType.CPU));
        using (Autocast.Disable(DeviceType.CPU)) Assert.IsFalse(Autocast.IsEnabled(DeviceType.CPU));
        Assert.IsFalse(Autocast.IsEnabled(DeviceType.CPU), "disabling where it was off leaves it off");
    }

    [TestMethod]
    public void TheStateIsPerThread()
    {
        using (Autocast.Enable(CPU, ScalarType.BFloat16))
        {
            bool elsewhere = true;
            var thread = new Thread(() => elsewhere = Autocast.IsEnabled(DeviceType.CPU));
            thread.Start();
            thread.Join();
            Assert.IsFalse(elsewhere, "another thread does not see this thread's region");
            Assert.IsTrue(Autocast.IsEnabled(DeviceType.CPU));
        }
    }

    [TestMethod]
    public void UnsupportedPrecisionsAndDevicesAreRefused()
    {
        var float16 = Assert.ThrowsExactly<ArgumentException>(() => Autocast.Enable(CPU, ScalarType.Float16));
        StringAssert.Contains(float16.Message, "CPU autocast supports BFloat16 only");
        Assert.AreEqual("dtype", float16.ParamName);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Autocast.Enable(CPU, ScalarType.Float64)).Message, "not Float64");
        Assert.ThrowsExactly<ArgumentException>(() => Autocast.Enable(new Device(DeviceType.CUDA), ScalarType.Float32));
        Assert.ThrowsExactly<ArgumentNullException>(() => Autocast.Enable(null!, ScalarType.BFloat16));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Autocast.IsEnabled(DeviceType.MPS)).Message, "CPU and CUDA, not MPS");
        Assert.IsFalse(Autocast.IsEnabled(DeviceType.CPU), "a refused region changed nothing");

        Assert.IsTrue(Autocast.Supports(DeviceType.CPU, ScalarType.BFloat16));
        Assert.IsFalse(Autocast.Supports(DeviceType.CPU, ScalarType.Float16));
        Assert.IsTrue(Autocast.Supports(DeviceType.CUDA, ScalarType.Float16));
        Assert.IsTrue(Autocast.Supports(DeviceType.CUDA, ScalarType.BFloat16));
        Assert.IsFalse(Autocast.Supports(DeviceType.CUDA, ScalarType.Float32));
    }
}
