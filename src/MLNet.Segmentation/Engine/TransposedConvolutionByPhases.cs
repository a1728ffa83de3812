namespace MLNet.Segmentation.Engine;

/// <summary>
/// A transposed convolution computed as one ordinary convolution followed by a pixel shuffle, when the kernel is a
/// multiple of the stride. Output phase (ry, rx) of a stride-s transposed convolution with a k = m·s kernel is a plain
/// m x m correlation of the zero-padded input with the sub-kernel W[.., s·(m-1-u) + r] (reversed taps), so all s² phases
/// are one convolution with Cout·s² output channels; a pixel shuffle interleaves them and a crop applies the padding.
/// Same arithmetic and autograd as the native op, but on CPU it runs on oneDNN's convolution, where libtorch's CPU
/// transposed convolution falls back to im2col + BLAS (the reference, single-threaded BLAS on Debian).
/// </summary>
internal static class TransposedConvolutionByPhases
{
    /// <summary>Whether the decomposition applies: CPU, 4-D, one group, no dilation, kernel a multiple of the stride, output padding ≤ padding.</summary>
    public static bool Applies(Tensor input, Tensor weight, Size2 stride, Size2 padding, Size2 outputPadding, long groups, Size2 dilation) =>
        input.Device.Type == DeviceType.Cpu && input.Dim == 4 && weight.Dim == 4 && groups == 1 && dilation == 1 &&
        input.Size(1) == weight.Size(0) && stride.Height > 0 && stride.Width > 0 &&
        weight.Size(2) % stride.Height == 0 && weight.Size(3) % stride.Width == 0 &&
        outputPadding.Height <= padding.Height && outputPadding.Width <= padding.Width &&
        input.DType is DType.Float32 or DType.Float64 or DType.BFloat16;

    /// <summary>conv_transpose2d(input, weight, bias, stride, padding, outputPadding) by phases (check <see cref="Applies"/> first).</summary>
    public static Tensor Compute(Tensor input, Tensor weight, Tensor? bias, Size2 stride, Size2 padding, Size2 outputPadding)
    {
        long n = input.Size(0), inChannels = weight.Size(0), outChannels = weight.Size(1);
        long sh = stride.Height, sw = stride.Width, mh = weight.Size(2) / sh, mw = weight.Size(3) / sw;
        long h = input.Size(2), w = input.Size(3);
        long outH = sh * (h - 1) + weight.Size(2) - 2 * padding.Height + outputPadding.Height;
        long outW = sw * (w - 1) + weight.Size(3) - 2 * padding.Width + outputPadding.Width;
        if (outH <= 0 || outW <= 0)
            throw new ArgumentException($"conv_transpose2d: input {input.ShapeString} with kernel {weight.ShapeString}, stride {stride} and padding {padding} gives an empty output");

        Tensor phases;
        Tensor? phaseBias = null;
        using (var split = weight.View(inChannels, outChannels, mh, sh, mw, sw))
        using (var reversed = split.Flip(2, 4))
        using (var ordered = reversed.Permute(1, 3, 5, 0, 2, 4))
            phases = ordered.Reshape(outChannels * sh * sw, inChannels, mh, mw);
        try
        {
            if (bias is not null)
            {
                using var column = bias.View(outChannels, 1);
                using var expanded = column.Expand(outChannels, sh * sw);
                phaseBias = expanded.Reshape(outChannels * sh * sw);
            }
            using var interleavedPhases = Functional.Conv2d(input, phases, phaseBias, padding: new Size2(mh - 1, mw - 1));
            long ph = h + mh - 1, pw = w + mw - 1;
            using var split = interleavedPhases.View(n, outChannels, sh, sw, ph, pw);
            var full = interleavedPhases.IsChannelsLastOnly()
                ? ShuffleChannelsLast(split, n, outChannels, ph * sh, pw * sw)
                : ShuffleContiguous(split, n, outChannels, ph * sh, pw * sw);
            if (padding == 0 && outputPadding == 0) return full;
            using (full)
            using (var rows = full.Narrow(2, padding.Height, outH))
                return rows.Narrow(3, padding.Width, outW);
        }
        finally
        {
            phases.Dispose();
            phaseBias?.Dispose();
        }
    }

    /// <summary>N x C x sh x sw x h x w phases interleaved into N x C x (h·sh) x (w·sw), contiguous.</summary>
    private static Tensor ShuffleContiguous(Tensor split, long n, long channels, long height, long width)
    {
        using var ordered = split.Permute(0, 1, 4, 2, 5, 3);
        return ordered.Reshape(n, channels, height, width);
    }

    /// <summary>The same interleaving into a channels-last result (one copy, in N, H, W, C order), so the layout carries on.</summary>
    private static Tensor ShuffleChannelsLast(Tensor split, long n, long channels, long height, long width)
    {
        using var ordered = split.Permute(0, 4, 2, 5, 3, 1);
        using var packed = ordered.Contiguous();
        using var nhwc = packed.View(n, height, width, channels);
        return nhwc.Permute(0, 3, 1, 2);
    }
}
