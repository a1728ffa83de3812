using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Nn;

/// <summary>
/// Runs a <see cref="Conv2d"/> (or an ungrouped <see cref="ConvTranspose2d"/>) followed by an eval-mode
/// <see cref="BatchNorm2d"/> as one convolution whose kernel and bias have the normalization folded in: w' = w·s (per
/// output channel) and b' = (b − mean)·s + β with s = γ / sqrt(var + eps). This saves
/// a full pass over the activation per pair at inference. The folded kernel is computed from the current parameters
/// on every call, so nothing goes stale when weights are loaded or trained, and gradients still reach the convolution's
/// and the normalization's parameters. The modules and their state dicts are untouched. Results equal the unfolded pair
/// up to float rounding (about 1e-6 relative in float32).
/// </summary>
public static class BatchNormFolding
{
    /// <summary>Whether eval-mode pairs are folded (default true; process-wide, like torch.backends flags).</summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>True when <paramref name="first"/> then <paramref name="second"/> on <paramref name="input"/> can run folded.</summary>
    internal static bool Applies(Module first, Module second, Tensor input) =>
        Enabled && (first.GetType() == typeof(Conv2d) || first.GetType() == typeof(ConvTranspose2d) && ((ConvTranspose2d)first).Groups == 1)
        && second is BatchNorm2d { IsTraining: false, RunningMean: not null, RunningVar: not null } && input.Dim == 4;

    /// <summary>How many folded pairs have run in this process (for tests and diagnostics).</summary>
    internal static long FoldedCount => Interlocked.Read(ref _foldedCount);

    private static long _foldedCount;

    /// <summary>The convolution and normalization as one folded convolution (call only when <see cref="Applies"/>).</summary>
    internal static Tensor Forward(Module convolution, BatchNorm2d norm, Tensor input)
    {
        Interlocked.Increment(ref _foldedCount);
        using var scale = FoldedScale(norm);
        if (convolution is Conv2d conv)
        {
            // Conv2d kernels are out x in x kh x kw; transposed ones in x out x kh x kw.
            using var perOutput = scale.View(-1, 1, 1, 1);
            using var weight = conv.Weight * perOutput;
            using var bias = FoldedBias(conv.Bias, norm, scale);
            return Functional.Conv2d(input, weight, bias, conv.Stride, conv.Padding, conv.Dilation, conv.Groups);
        }
        var transposed = (ConvTranspose2d)convolution;
        using var perOutputTransposed = scale.View(1, -1, 1, 1);
        using var transposedWeight = transposed.Weight * perOutputTransposed;
        using var transposedBias = FoldedBias(transposed.Bias, norm, scale);
        return Functional.ConvTranspose2d(input, transposedWeight, transposedBias, transposed.Stride, transposed.Padding,
            transposed.OutputPadding, transposed.Groups, transposed.Dilation);
    }

    /// <summary>γ / sqrt(var + eps), with γ = 1 when the normalization is not affine.</summary>
    private static Tensor FoldedScale(BatchNorm2d norm)
    {
        using var shifted = norm.RunningVar! + norm.Eps;
        var inverse = shifted.Rsqrt();
        if (norm.Weight is null) return inverse;
        using (inverse) return inverse * norm.Weight;
    }

    /// <summary>(b − mean)·s + β, with b = 0 without a convolution bias and β = 0 when the normalization is not affine.</summary>
    private static Tensor FoldedBias(Tensor? convBias, BatchNorm2d norm, Tensor scale)
    {
        using var centered = convBias is null ? -norm.RunningMean! : convBias - norm.RunningMean!;
        var scaled = centered * scale;
        if (norm.Bias is null) return scaled;
        using (scaled) return scaled + norm.Bias;
    }
}
