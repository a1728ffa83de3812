namespace MLNet.Segmentation.Nn;

/// <summary>
/// Folds an inference-mode BatchNorm into the (transposed) convolution before it, on host arrays in double precision:
/// with s = gamma / sqrt(var + eps) per output channel, weight' = weight * s and bias' = (bias - mean) * s + beta.
/// </summary>
internal static class BatchNormFolding
{
    /// <summary>
    /// The folded weight and bias. A convolution's weight is [Cout, Cin/groups, ...]; a transposed convolution's is
    /// [Cin, Cout/groups, ...], its output channel of element (i, j) being (i / (Cin/groups)) * (Cout/groups) + j.
    /// </summary>
    public static (float[] Weight, float[] Bias) Fold(float[] weight, long[] weightDims, float[]? bias, bool transposed, long groups,
        BatchNormParameters bn)
    {
        long outChannels = transposed ? weightDims[1] * groups : weightDims[0];
        var (scale, folded) = ScaleAndBias(outChannels, bias, bn);
        long inner = weightDims.Skip(2).Aggregate(1L, (a, d) => a * d);
        long dim1 = weightDims[1], perGroupIn = weightDims[0] / groups;
        var result = new float[weight.Length];
        for (long i = 0; i < weightDims[0]; i++)
            for (long j = 0; j < dim1; j++)
            {
                long o = transposed ? i / perGroupIn * dim1 + j : i;
                long start = (i * dim1 + j) * inner;
                for (long e = start; e < start + inner; e++) result[e] = (float)(weight[e] * scale[o]);
            }
        return (result, folded);
    }

    /// <summary>
    /// The per-output-channel factor s = gamma / sqrt(running_var + eps) each kernel is multiplied by (in float64), and
    /// the folded bias (bias - running_mean) * s + beta, for a convolution of <paramref name="outChannels"/> outputs.
    /// </summary>
    public static (double[] Scale, float[] Bias) ScaleAndBias(long outChannels, float[]? bias, BatchNormParameters bn)
    {
        if (bn.Mean.Length != outChannels)
            throw new InvalidOperationException($"a BatchNorm of {bn.Mean.Length} channels follows a convolution of {outChannels}");
        var scale = new double[outChannels];
        var folded = new float[outChannels];
        for (int o = 0; o < outChannels; o++)
        {
            scale[o] = bn.Scale[o] / Math.Sqrt(bn.Variance[o] + bn.Eps);
            folded[o] = (float)(((bias?[o] ?? 0.0) - bn.Mean[o]) * scale[o] + bn.Bias[o]);
        }
        return (scale, folded);
    }
}

/// <summary>The inference-mode parameters of a BatchNorm layer.</summary>
internal sealed record BatchNormParameters(float[] Scale, float[] Bias, float[] Mean, float[] Variance, double Eps)
{
    /// <summary>The parameters of <paramref name="bn"/> (scale 1 and bias 0 when it is not affine); null without running statistics.</summary>
    public static BatchNormParameters? Of(TorchSharp.Modules.BatchNorm bn)
    {
        if (bn.running_mean is null || bn.running_var is null) return null;
        long c = bn.num_features;
        float[] scale = bn.weight is { } w ? Engine.TensorData.Floats(w) : Enumerable.Repeat(1f, (int)c).ToArray();
        float[] bias = bn.bias is { } b ? Engine.TensorData.Floats(b) : new float[c];
        return new BatchNormParameters(scale, bias, Engine.TensorData.Floats(bn.running_mean), Engine.TensorData.Floats(bn.running_var), bn.eps);
    }
}
