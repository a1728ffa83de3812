using MLNet.Segmentation.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Nn;

/// <summary>
/// A stride-1 CPU convolution whose kernel mostly multiplies zero padding, computed tap by tap: each kernel tap is a 1x1
/// convolution over only the output positions where it reads the input, added into its place. This is the case of
/// DeepLab's atrous convolutions on small maps: at 256x256 and output stride 16 the map is 16x16, so the ASPP branch
/// with rate 18 reaches the input with its centre tap only, and the rate-12 branch reaches a quarter of its
/// tap-positions. libtorch 2.10 runs these as full dilated 3x3 convolutions, and its oneDNN kernels for them are slow:
/// one such branch at batch 8 took 119–134 ms forward and 640–650 ms forward + backward, against 10–37 ms and 33–277 ms
/// tap by tap (see BENCHMARKS.md). The sums are the same, only grouped differently; taps that never read the input get a
/// zero gradient, as they do in the full convolution. Switch off with <c>MLSEG_REACHABLE_TAPS=0</c> (for A/B runs).
/// </summary>
public static class ReachableTapConvolution
{
    /// <summary>
    /// The largest share of a kernel's tap-positions that may read the input for the tap-by-tap form to be used. Measured
    /// at 2048 -> 256 channels, batch 8: a share of 0.25 (rate 12 on 16x16) and 0.11 (rate 18) ran 2.3x and 20x faster
    /// forward and backward; 0.56 (rate 6 on 16x16, rate 12 on 32x32) ran 2.5–4x slower.
    /// </summary>
    public const double MaxReachedShare = 0.3;

    /// <summary>Whether the tap-by-tap form may be used (default: yes; <c>MLSEG_REACHABLE_TAPS=0</c> turns it off).</summary>
    public static bool Enabled { get; set; } = Environment.GetEnvironmentVariable("MLSEG_REACHABLE_TAPS") != "0";

    /// <summary>
    /// The output positions (along one dimension) that kernel tap <paramref name="tap"/> reads the input at, as
    /// [first, end) (empty as [end, end)): output y reads input y + tap·dilation − padding.
    /// </summary>
    public static (long First, long End) ReachedOutputs(long inputSize, long outputSize, long tap, long padding, long dilation)
    {
        long offset = tap * dilation - padding;
        long first = Math.Min(outputSize, Math.Max(0, -offset)), end = Math.Min(outputSize, inputSize - offset);
        return (first, Math.Max(first, end));
    }

    /// <summary>The share of (tap, output position) pairs along one dimension where the tap reads the input.</summary>
    public static double ReachedShare(long inputSize, long kernelSize, long padding, long dilation)
    {
        long outputSize = inputSize + 2 * padding - dilation * (kernelSize - 1);
        if (outputSize <= 0) return 1;
        long reached = 0;
        for (long tap = 0; tap < kernelSize; tap++)
        {
            var (first, end) = ReachedOutputs(inputSize, outputSize, tap, padding, dilation);
            reached += end - first;
        }
        return (double)reached / (kernelSize * outputSize);
    }

    /// <summary>
    /// Whether <see cref="Conv2d"/> takes the tap-by-tap form for this call: enabled, a CPU floating-point batch (or
    /// image) of the weight's channels, ungrouped, stride 1, dilated, a kernel larger than 1x1, and at most
    /// <see cref="MaxReachedShare"/> of its tap-positions reading the input.
    /// </summary>
    public static bool Applies(Tensor input, Tensor weight, long[] stride, long[] padding, long[] dilation, long groups)
    {
        if (!Enabled || groups != 1 || input.device_type != DeviceType.CPU || !input.is_floating_point()) return false;
        if (input.dim() is not (3 or 4) || weight.dim() != 4 || input.size(-3) != weight.size(1)) return false;
        if (stride.Any(s => s != 1) || weight.size(2) * weight.size(3) == 1) return false;
        // Atrous kernels only: an undilated kernel on a tiny map (FCN's 7x7 fc6 on 2x2 at 64x64) is faster in libtorch's
        // im2col + GEMM than as taps whose kernel slices are gathered from every 49th float (51.5 against 112 ms).
        if (dilation.All(d => d == 1)) return false;
        double share = ReachedShare(input.size(-2), weight.size(2), At(padding, 0), At(dilation, 0))
            * ReachedShare(input.size(-1), weight.size(3), At(padding, 1), At(dilation, 1));
        return share <= MaxReachedShare;
    }

    /// <summary>
    /// The stride-1 convolution of <paramref name="input"/> (N x C x H x W or C x H x W) with <paramref name="weight"/>,
    /// as <c>conv2d(input, weight, bias, 1, padding, dilation)</c>, summed tap by tap over the outputs each tap reaches.
    /// Each tap runs through <see cref="OneDnnChannelPadding.Conv2d"/>.
    /// </summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, long[] padding, long[] dilation)
    {
        using var scope = NewDisposeScope();
        bool unbatched = input.dim() == 3;
        var batch = unbatched ? input.unsqueeze(0) : input;
        long height = batch.size(2), width = batch.size(3);
        long padY = At(padding, 0), padX = At(padding, 1), dilY = At(dilation, 0), dilX = At(dilation, 1);
        long outHeight = height + 2 * padY - dilY * (weight.size(2) - 1), outWidth = width + 2 * padX - dilX * (weight.size(3) - 1);
        if (outHeight <= 0 || outWidth <= 0)
            throw new ArgumentException($"Conv2d: input {TensorData.ShapeOf(input)} is smaller than the dilated kernel {TensorData.ShapeOf(weight)} (padding {padY}x{padX}, dilation {dilY}x{dilX})", nameof(input));
        long[] one = [1, 1], none = [0, 0];
        Tensor? output = null;
        for (long ty = 0; ty < weight.size(2); ty++)
        {
            var (y0, y1) = ReachedOutputs(height, outHeight, ty, padY, dilY);
            if (y0 == y1) continue;
            for (long tx = 0; tx < weight.size(3); tx++)
            {
                var (x0, x1) = ReachedOutputs(width, outWidth, tx, padX, dilX);
                if (x0 == x1) continue;
                var reached = batch.narrow(2, y0 + ty * dilY - padY, y1 - y0).narrow(3, x0 + tx * dilX - padX, x1 - x0);
                var tap = OneDnnChannelPadding.Conv2d(reached, weight.narrow(2, ty, 1).narrow(3, tx, 1), null, one, none, one);
                bool whole = y1 - y0 == outHeight && x1 - x0 == outWidth;
                var placed = whole ? tap : nn.functional.pad(tap, [x0, outWidth - x1, y0, outHeight - y1]);
                output = output is null ? placed : output.Plus(placed);
            }
        }
        // No tap ever reads the input: the full convolution (bias only, with zero gradients rather than none).
        if (output is null) return OneDnnChannelPadding.Conv2d(input, weight, bias, one, padding, dilation).MoveToOuterDisposeScope();
        // In the taps' dtype: under bfloat16 autocast they are bfloat16, as the full convolution's output would be.
        if (bias is not null) output = output.Plus(bias.view(1, -1, 1, 1).to(output.dtype));
        return (unbatched ? output.squeeze(0) : output).MoveToOuterDisposeScope();
    }

    private static long At(long[] values, int dimension) => values.Length == 1 ? values[0] : values[dimension];
}
