using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Tests.Engine;

[TestClass]
public sealed class GradientCheckTests
{
    private const double Tolerance = 1e-6;

    private static Tensor Random(Generator generator, params long[] shape) => Tensor.Randn(shape, generator, DType.Float64);

    // A fixed random projection turns a tensor output into a scalar that exercises every output element.
    private static Tensor Project(Tensor output, Tensor projection) => (output * projection).Sum();

    [TestMethod]
    public void Conv2dGradientsMatchFiniteDifferences()
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(11);
        var x = Random(g, 1, 2, 5, 6);
        var w = Random(g, 3, 2, 3, 3);
        var b = Random(g, 3);
        var projection = Random(g, 1, 3, 3, 3);
        double error = GradCheck.MaxError(
            t => Project(Functional.Conv2d(t[0], t[1], t[2], stride: 2, padding: 1, dilation: 1), projection), [x, w, b]);
        Assert.IsTrue(error < Tolerance, $"conv2d gradient error {error}");

        var projectionDilated = Random(g, 1, 3, 1, 2);
        error = GradCheck.MaxError(
            t => Project(Functional.Conv2d(t[0], t[1], null, dilation: 2), projectionDilated), [x, w]);
        Assert.IsTrue(error < Tolerance, $"dilated conv2d gradient error {error}");
    }

    [TestMethod]
    public void ConvTranspose2dGradientsMatchFiniteDifferences()
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(12);
        var x = Random(g, 1, 3, 3, 4);
        var w = Random(g, 3, 2, 3, 3);
        var b = Random(g, 2);
        var projection = Random(g, 1, 2, 6, 8);
        double error = GradCheck.MaxError(
            t => Project(Functional.ConvTranspose2d(t[0], t[1], t[2], stride: 2, padding: 1, outputPadding: 1), projection), [x, w, b]);
        Assert.IsTrue(error < Tolerance, $"conv_transpose2d gradient error {error}");
    }

    [TestMethod]
    public void InterpolateGradientsMatchFiniteDifferences()
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(13);
        var x = Random(g, 1, 2, 4, 5);
        var projection = Random(g, 1, 2, 7, 9);
        foreach (bool alignCorners in new[] { false, true })
        {
            double error = GradCheck.MaxError(
                t => Project(Functional.Interpolate(t[0], (7, 9), InterpolationMode.Bilinear, alignCorners), projection), [x]);
            Assert.IsTrue(error < Tolerance, $"bilinear (align_corners={alignCorners}) gradient error {error}");
        }
        double nearest = GradCheck.MaxError(
            t => Project(Functional.Interpolate(t[0], (7, 9), InterpolationMode.Nearest), projection), [x]);
        Assert.IsTrue(nearest < Tolerance, $"nearest gradient error {nearest}");
    }

    [TestMethod]
    public void CrossEntropyGradientsMatchFiniteDifferences()
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(14);
        var logits = Random(g, 2, 4, 3, 3);
        var target = Tensor.FromArray(new long[] { 0, 1, 2, 3, 255, 1, 2, 0, 3, 3, 2, 1, 0, 255, 255, 1, 2, 3 }, 2, 3, 3);
        var weight = Tensor.FromArray(new[] { 0.5, 1.0, 2.0, 1.5 });
        double error = GradCheck.MaxError(
            t => Functional.CrossEntropy(t[0], target, weight, ignoreIndex: 255, labelSmoothing: 0.1), [logits]);
        Assert.IsTrue(error < Tolerance, $"cross_entropy gradient error {error}");
    }
}
