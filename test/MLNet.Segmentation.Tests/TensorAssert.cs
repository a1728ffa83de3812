using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests;

/// <summary>Comparisons of tensors against references.</summary>
internal static class TensorAssert
{
    /// <summary>max |actual - expected| / max |expected| (shapes must agree).</summary>
    internal static double RelativeError(Tensor actual, Tensor expected)
    {
        CollectionAssert.AreEqual(expected.shape, actual.shape, "shape");
        using var scope = NewDisposeScope();
        var e = expected.to_type(ScalarType.Float64);
        var a = actual.detach().to_type(ScalarType.Float64);
        double scale = Math.Max(e.abs().max().item<double>(), 1e-12);
        return (a - e).abs().max().item<double>() / scale;
    }

    /// <summary>max |actual - expected|.</summary>
    internal static double MaxAbsDifference(Tensor actual, Tensor expected)
    {
        CollectionAssert.AreEqual(expected.shape, actual.shape, "shape");
        using var scope = NewDisposeScope();
        return (actual.detach().to_type(ScalarType.Float64) - expected.to_type(ScalarType.Float64)).abs().max().item<double>();
    }
}
