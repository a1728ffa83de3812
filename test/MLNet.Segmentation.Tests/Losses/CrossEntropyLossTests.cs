using MLNet.Segmentation.Engine;
using static TorchSharp.torch;
using MLNet.Segmentation.Losses;

namespace MLNet.Segmentation.Tests.Losses;

/// <summary>Pixel cross-entropy against torch.nn.functional.cross_entropy (Fixtures/Losses/cross_entropy.json).</summary>
[TestClass]
public sealed class CrossEntropyLossTests
{
    [TestMethod]
    public void MatchesPyTorchWithWeightsIgnoreIndexAndLabelSmoothing()
    {
        using var scope = NewDisposeScope();
        var fixture = Fixture.Load("Losses", "cross_entropy.json");
        var logits = TensorData.FromArray(fixture.GetProperty("logits").Doubles(), fixture.GetProperty("shape").Longs());
        var shape = fixture.GetProperty("shape").Longs();
        var target = TensorData.FromArray(fixture.GetProperty("target").Longs(), shape[0], shape[2], shape[3]);
        long ignore = fixture.GetProperty("ignore").GetInt64();
        foreach (var c in fixture.GetProperty("cases").EnumerateArray())
        {
            var weights = c.GetProperty("weights").ValueKind == System.Text.Json.JsonValueKind.Null ? null : c.GetProperty("weights").Doubles();
            double smoothing = c.GetProperty("label_smoothing").GetDouble();
            var loss = new CrossEntropyLoss(new() { ClassWeights = weights, IgnoreIndex = ignore, LabelSmoothing = smoothing });
            Assert.AreEqual(c.GetProperty("loss").GetDouble(), loss.Compute(logits, target).item<double>(), 1e-12,
                $"weights={(weights is null ? "none" : "set")} smoothing={smoothing}");
        }
    }
}
