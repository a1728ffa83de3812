using MLNet.Segmentation.Engine;
using static TorchSharp.torch;
using MLNet.Segmentation.Losses;
using MLNet.Segmentation.Losses.BorderWeights;
using MLNet.Segmentation.Losses.WeakSupervision;

namespace MLNet.Segmentation.Tests.Losses;

[TestClass]
public sealed class WeakSupervisionTests
{
    [TestMethod]
    public void PartialCrossEntropyAveragesLabelledPixelsOnly()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(2);
        var logits = randn([1, 3, 4, 4], ScalarType.Float64, generator: generator);
        var scribbles = full(new long[] { 1, 4, 4 }, 255, ScalarType.Int64);
        var labels = new long[16];
        Array.Fill(labels, 255);
        labels[1] = 2;
        labels[6] = 0;
        var target = TensorData.FromArray(labels, 1, 4, 4);
        var flat = TensorData.ToArray<double>(logits.permute(0, 2, 3, 1).reshape(16, 3));
        double LogSoftmax(int pixel, int cls)
        {
            double max = Enumerable.Range(0, 3).Max(k => flat[pixel * 3 + k]);
            double sum = Enumerable.Range(0, 3).Sum(k => Math.Exp(flat[pixel * 3 + k] - max));
            return flat[pixel * 3 + cls] - max - Math.Log(sum);
        }
        double expected = -(LogSoftmax(1, 2) + LogSoftmax(6, 0)) / 2;
        Assert.AreEqual(expected, new PartialCrossEntropyLoss().Compute(logits, target).item<double>(), 1e-12);
        double weighted = -(3 * LogSoftmax(1, 2) + 0.5 * LogSoftmax(6, 0)) / 3.5;
        Assert.AreEqual(weighted, new PartialCrossEntropyLoss(new() { ClassWeights = [0.5, 1, 3] }).Compute(logits, target).item<double>(), 1e-12);
        Assert.AreEqual(0, new PartialCrossEntropyLoss().Compute(logits, scribbles).item<double>());
    }

    [TestMethod]
    public void PairwiseRegularizerHandComputed()
    {
        using var scope = NewDisposeScope();
        // 2 x 2 image, two classes; probabilities of class 1: [[0.5, 0.8], [0.1, 0.5]]; intensities [[0, 0], [1, 0]].
        double[] p1 = [0.5, 0.8, 0.1, 0.5];
        var logits = TensorData.FromArray(p1.Select(p => Math.Log(1 - p)).Concat(p1.Select(p => Math.Log(p))).ToArray(), 1, 2, 2, 2);
        var image = TensorData.FromArray(new double[] { 0, 0, 1, 0 }, 1, 1, 2, 2);
        double sigma = 0.5, far = Math.Exp(-1 / (2 * sigma * sigma));
        static double D(double a, double b) => 2 * (a - b) * (a - b); // ||s_p - s_q||^2 over two classes
        double horizontal = D(0.5, 0.8) + far * D(0.1, 0.5);
        double vertical = far * D(0.5, 0.1) + D(0.8, 0.5);
        double diagonal = D(0.5, 0.5) + far * D(0.8, 0.1);  // (0,0)-(1,1) and (0,1)-(1,0)
        var four = new PairwiseRegularizer(new() { Sigma = sigma, Lambda = 2, Reduction = RegularizerReduction.Sum });
        Assert.AreEqual(2 * (horizontal + vertical), four.Compute(logits, image).item<double>(), 1e-12);
        var eight = new PairwiseRegularizer(new() { Sigma = sigma, Neighbourhood = Connectivity.Eight });
        Assert.AreEqual((horizontal + vertical + diagonal) / 4, eight.Compute(logits, image).item<double>(), 1e-12);
    }

    [TestMethod]
    public void DenseRegularizerMatchesBruteForce()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(9);
        var logits = randn([1, 2, 4, 6], ScalarType.Float64, generator: generator);
        var image = rand([1, 1, 4, 6], ScalarType.Float64, generator: generator);
        var options = new DenseGaussianRegularizerOptions { DownsampleFactor = 2, Sigma = 0.4, SpatialSigma = 3, Lambda = 1.5, Reduction = RegularizerReduction.Sum };
        double actual = new DenseGaussianRegularizer(options).Compute(logits, image).item<double>();

        var s = TensorData.ToArray<double>(nn.functional.avg_pool2d(nn.functional.softmax(logits, 1), [2, 2]));   // 2 x 2 x 3
        var intensity = TensorData.ToArray<double>(nn.functional.avg_pool2d(image, [2, 2]));                       // 2 x 3
        double expected = 0;
        for (int p = 0; p < 6; p++)
        {
            for (int q = p + 1; q < 6; q++)
            {
                double dy = 2 * (p / 3 - q / 3), dx = 2 * (p % 3 - q % 3), di = intensity[p] - intensity[q];
                double w = 1.5 * Math.Exp(-di * di / (2 * 0.4 * 0.4) - (dy * dy + dx * dx) / (2 * 9.0));
                double d0 = s[p] - s[q], d1 = s[6 + p] - s[6 + q];
                expected += w * (d0 * d0 + d1 * d1);
            }
        }
        Assert.AreEqual(expected, actual, 1e-12);
    }

    [TestMethod]
    public void EntropyOfUniformPredictionsIsLogK()
    {
        using var scope = NewDisposeScope();
        var logits = zeros(new long[] { 2, 5, 3, 3 }, ScalarType.Float64);
        Assert.AreEqual(Math.Log(5), new EntropyRegularizer().Compute(logits).item<double>(), 1e-12);
        Assert.AreEqual(18 * Math.Log(5), new EntropyRegularizer(RegularizerReduction.Sum).Compute(logits).item<double>(), 1e-10);
        var confident = TensorData.FromArray(new double[] { 50, 0 }, 1, 2, 1, 1);
        Assert.AreEqual(0, new EntropyRegularizer().Compute(confident).item<double>(), 1e-12);
    }
}
