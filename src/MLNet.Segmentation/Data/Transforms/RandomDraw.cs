using static TorchSharp.torch;

namespace MLNet.Segmentation.Data.Transforms;

/// <summary>Scalar random draws from a <see cref="Generator"/> (so transforms are reproducible from its seed).</summary>
internal static class RandomDraw
{
    /// <summary><paramref name="count"/> uniform values in [0, 1), drawn on the generator's device.</summary>
    internal static double[] Uniforms(Generator generator, int count)
    {
        using var values = rand([count], ScalarType.Float64, generator.device, generator: generator);
        return Engine.TensorData.ToArray<double>(values);
    }

    /// <summary>One uniform value in [low, high).</summary>
    internal static double Uniform(Generator generator, double low, double high) => low + (high - low) * Uniforms(generator, 1)[0];

    /// <summary>True with probability <paramref name="p"/> (always draws, so the stream does not depend on p).</summary>
    internal static bool Chance(Generator generator, double p) => Uniforms(generator, 1)[0] < p;

    /// <summary>An integer in [0, count).</summary>
    internal static long Index(Generator generator, long count) =>
        Math.Min(count - 1, (long)Math.Floor(Uniforms(generator, 1)[0] * count));
}
