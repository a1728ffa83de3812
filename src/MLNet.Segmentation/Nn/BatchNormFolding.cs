using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Nn;

/// <summary>
/// Runs a <see cref="Conv2d"/> (or an ungrouped <see cref="ConvTranspose2d"/>) followed by an eval-mode
/// <see cref="BatchNorm2d"/> as one convolution whose kernel and bias have the normalization folded in: w' = w·s (per
/// output channel) and b' = (b − mean)·s + β with s = γ / sqrt(var + eps). This saves a full pass over the activation
/// per pair at inference. Without gradients the folded kernel is cached on the normalization and made again whenever a
/// source parameter or statistic changes (<see cref="DerivedTensorCache{TKey}"/>), so nothing goes stale when weights are
/// loaded or trained; with gradients it is folded on every call, so gradients still reach the convolution's and the
/// normalization's parameters. The modules and their state dicts are untouched. Results equal the unfolded pair up to
/// float rounding (about 1e-6 relative in float32).
/// </summary>
public static class BatchNormFolding
{
    /// <summary>
    /// Whether eval-mode pairs are folded (process-wide, like torch.backends flags); true unless the environment
    /// variable MLSEG_BATCHNORM_FOLDING is "0".
    /// </summary>
    public static bool Enabled { get; set; } = Environment.GetEnvironmentVariable("MLSEG_BATCHNORM_FOLDING") != "0";

    /// <summary>
    /// True when <paramref name="first"/> then <paramref name="second"/> on <paramref name="input"/> can run folded.
    /// A channel-count mismatch is left to the unfolded modules, whose errors name it.
    /// </summary>
    internal static bool Applies(Module first, Module second, Tensor input)
    {
        if (!Enabled || input.Dim != 4 || second is not BatchNorm2d { IsTraining: false, RunningMean: not null, RunningVar: not null } norm) return false;
        if (first.GetType() == typeof(Conv2d)) return ((Conv2d)first).OutChannels == norm.NumFeatures;
        return first.GetType() == typeof(ConvTranspose2d) && first is ConvTranspose2d { Groups: 1 } transposed && transposed.OutChannels == norm.NumFeatures;
    }

    /// <summary>How many folded pairs have run in this process (for tests and diagnostics).</summary>
    internal static long FoldedCount => Interlocked.Read(ref _foldedCount);

    /// <summary>How many folded kernels have been computed in this process (cache misses and calls with gradients).</summary>
    internal static long KernelsFolded => Interlocked.Read(ref _kernelsFolded);

    private static long _foldedCount;
    private static long _kernelsFolded;

    /// <summary>The convolution and normalization as one folded convolution (call only when <see cref="Applies"/>).</summary>
    internal static Tensor Forward(Module convolution, BatchNorm2d norm, Tensor input)
    {
        Interlocked.Increment(ref _foldedCount);
        var conv = convolution as Conv2d;
        var transposed = convolution as ConvTranspose2d;
        var convWeight = conv?.Weight ?? transposed!.Weight;
        var convBias = conv is not null ? conv.Bias : transposed!.Bias;
        // Conv2d kernels are out x in x kh x kw; transposed ones in x out x kh x kw.
        int outputDim = conv is not null ? 0 : 1;
        Tensor?[] sources = [convWeight, convBias, norm.Weight, norm.Bias, norm.RunningMean, norm.RunningVar];
        // Without gradients the folded tensors are kept between calls; with them, autograd needs this call's fold.
        bool cacheable = !Autograd.IsEnabled || !sources.Any(t => t is { RequiresGrad: true });
        var (weight, bias) = cacheable ? CachedFold(convWeight, convBias, outputDim, norm, sources) : Fold(convWeight, convBias, outputDim, norm);
        using (weight)
        using (bias)
            return conv is not null
                ? Functional.Conv2d(input, weight, bias, conv.Stride, conv.Padding, conv.Dilation, conv.Groups)
                : Functional.ConvTranspose2d(input, weight, bias, transposed!.Stride, transposed.Padding, transposed.OutputPadding, transposed.Groups, transposed.Dilation);
    }

    /// <summary>New handles to the fold kept on <paramref name="norm"/>, made again when a source changed.</summary>
    private static (Tensor Weight, Tensor Bias) CachedFold(Tensor convWeight, Tensor? convBias, int outputDim, BatchNorm2d norm, Tensor?[] sources)
    {
        var folded = norm.FoldCache.Get(sources, () =>
        {
            using (Autograd.NoGrad())
            {
                var (weight, bias) = Fold(convWeight, convBias, outputDim, norm);
                return [weight, bias];
            }
        });
        return (folded[0], folded[1]);
    }

    /// <summary>The folded kernel (scaled along its output-channel dimension <paramref name="outputDim"/>) and bias.</summary>
    private static (Tensor Weight, Tensor Bias) Fold(Tensor convWeight, Tensor? convBias, int outputDim, BatchNorm2d norm)
    {
        Interlocked.Increment(ref _kernelsFolded);
        using var scale = FoldedScale(norm);
        using var perOutput = outputDim == 0 ? scale.View(-1, 1, 1, 1) : scale.View(1, -1, 1, 1);
        return (convWeight * perOutput, FoldedBias(convBias, norm, scale));
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
