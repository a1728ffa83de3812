using MLNet.Segmentation.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Engine;

/// <summary>
/// Autograd against central differences in float64 for the operations our networks and losses differentiate through:
/// the channel-padded convolutions (<see cref="OneDnnChannelPadding"/>), interpolation and cross-entropy.
/// </summary>
[TestClass]
public sealed class GradientCheckTests
{
    private const double Tolerance = 1e-6;

    private static Tensor Random(Generator generator, params long[] shape) => randn(shape, ScalarType.Float64, generator: generator);

    // A fixed random projection turns a tensor output into a scalar that exercises every output element.
    private static Tensor Project(Tensor output, Tensor projection) => (output * projection).sum();

    [TestMethod]
    public void Conv2dGradientsMatchFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(11);
        var x = Random(g, 1, 2, 5, 6);
        var w = Random(g, 3, 2, 3, 3);
        var b = Random(g, 3);
        var projection = Random(g, 1, 3, 3, 3);
        double error = GradCheck.MaxError(
            t => Project(OneDnnChannelPadding.Conv2d(t[0], t[1], t[2], [2, 2], [1, 1], [1, 1]), projection), [x, w, b]);
        Assert.IsTrue(error < Tolerance, $"conv2d gradient error {error}");

        var projectionDilated = Random(g, 1, 3, 1, 2);
        error = GradCheck.MaxError(
            t => Project(OneDnnChannelPadding.Conv2d(t[0], t[1], null, [1, 1], [0, 0], [2, 2]), projectionDilated), [x, w]);
        Assert.IsTrue(error < Tolerance, $"dilated conv2d gradient error {error}");

        var grouped = Random(g, 4, 1, 3, 3);
        var projectionGrouped = Random(g, 1, 4, 5, 6);
        error = GradCheck.MaxError(
            t => Project(OneDnnChannelPadding.Conv2d(t[0], t[1], null, [1, 1], [1, 1], [1, 1], groups: 2), projectionGrouped), [x, grouped]);
        Assert.IsTrue(error < Tolerance, $"grouped conv2d gradient error {error}");
    }

    [TestMethod]
    public void ConvTranspose2dGradientsMatchFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(12);
        var x = Random(g, 1, 3, 3, 4);
        var w = Random(g, 3, 2, 3, 3);
        var b = Random(g, 2);
        var projection = Random(g, 1, 2, 6, 8);
        double error = GradCheck.MaxError(
            t => Project(OneDnnChannelPadding.ConvTranspose2d(t[0], t[1], t[2], [2, 2], [1, 1], [1, 1], [1, 1]), projection), [x, w, b]);
        Assert.IsTrue(error < Tolerance, $"conv_transpose2d gradient error {error}");

        var stride1 = Random(g, 1, 2, 5, 6);
        error = GradCheck.MaxError(
            t => Project(OneDnnChannelPadding.ConvTranspose2d(t[0], t[1], t[2], [1, 1], [0, 0], [0, 0], [1, 1]), stride1), [x, w, b]);
        Assert.IsTrue(error < Tolerance, $"stride-1 conv_transpose2d gradient error {error}");
    }

    [TestMethod]
    public void LayerModulesGradientsMatchFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        torch.random.manual_seed(13);
        using var conv = Layers.Conv2d(3, 5, 3, padding: 1);
        using var up = Layers.ConvTranspose2d(5, 3, 2, stride: 2);
        conv.to(ScalarType.Float64);
        up.to(ScalarType.Float64);
        using var g = new Generator(13);
        var x = Random(g, 1, 3, 4, 4);
        var projection = Random(g, 1, 3, 8, 8);
        double error = GradCheck.MaxError(t => Project(up.call(conv.call(t[0]).relu()), projection), [x]);
        Assert.IsTrue(error < Tolerance, $"Conv2d -> ConvTranspose2d input gradient error {error}");
    }

    [TestMethod]
    public void InterpolateGradientsMatchFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(13);
        var x = Random(g, 1, 2, 4, 5);
        var projection = Random(g, 1, 2, 7, 9);
        foreach (bool alignCorners in new[] { false, true })
        {
            double error = GradCheck.MaxError(
                t => Project(nn.functional.interpolate(t[0], [7, 9], mode: InterpolationMode.Bilinear, align_corners: alignCorners), projection), [x]);
            Assert.IsTrue(error < Tolerance, $"bilinear (align_corners={alignCorners}) gradient error {error}");
        }
        double nearest = GradCheck.MaxError(
            t => Project(nn.functional.interpolate(t[0], [7, 9], mode: InterpolationMode.Nearest), projection), [x]);
        Assert.IsTrue(nearest < Tolerance, $"nearest gradient error {nearest}");
    }

    [TestMethod]
    public void CrossEntropyGradientsMatchFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(14);
        var logits = Random(g, 2, 4, 3, 3);
        var target = MLNet.Segmentation.Engine.TensorData.FromArray(new long[] { 0, 1, 2, 3, 255, 1, 2, 0, 3, 3, 2, 1, 0, 255, 255, 1, 2, 3 }, 2, 3, 3);
        var weight = MLNet.Segmentation.Engine.TensorData.FromArray(new[] { 0.5, 1.0, 2.0, 1.5 }, 4);
        double error = GradCheck.MaxError(
            t => nn.functional.cross_entropy(t[0], target, weight, ignore_index: 255, label_smoothing: 0.1), [logits]);
        Assert.IsTrue(error < Tolerance, $"cross_entropy gradient error {error}");
    }
}
