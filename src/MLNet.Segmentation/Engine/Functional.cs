using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

/// <summary>How a loss reduces over elements (values match libtorch's at::Reduction).</summary>
public enum Reduction
{
    /// <summary>One loss value per element.</summary>
    None = 0,
    /// <summary>The mean (over non-ignored, weighted elements for classification losses).</summary>
    Mean = 1,
    /// <summary>The sum.</summary>
    Sum = 2,
}

/// <summary>Interpolation modes of <see cref="Functional.Interpolate(Tensor, Size2, InterpolationMode, bool)"/>.</summary>
public enum InterpolationMode
{
    /// <summary>Nearest neighbour (the only mode for class-id masks).</summary>
    Nearest,
    /// <summary>Bilinear.</summary>
    Bilinear,
}

/// <summary>Padding modes of <see cref="Functional.GridSample"/> (values match libtorch).</summary>
public enum GridPadding
{
    /// <summary>Zeros outside the input.</summary>
    Zeros = 0,
    /// <summary>The border value.</summary>
    Border = 1,
    /// <summary>Reflection at the border.</summary>
    Reflection = 2,
}

/// <summary>Neural-network functions on tensors, named after torch.nn.functional.</summary>
public static class Functional
{
    /// <summary>2-D convolution of N x C x H x W input with a K x C/groups x kh x kw weight.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, Size2? stride = null, Size2? padding = null,
        Size2? dilation = null, long groups = 1)
    {
        var s = stride ?? 1;
        var p = padding ?? 0;
        var d = dilation ?? 1;
        if (PaddingOnlyTapTrimming.TryTrim(input, weight, s, p, d, groups) is { } trimmed)
        {
            using var trimmedWeight = trimmed.Weight;
            return Conv2dUntrimmed(input, trimmedWeight, bias, s, trimmed.Padding, trimmed.Dilation, groups);
        }
        return Conv2dUntrimmed(input, weight, bias, s, p, d, groups);
    }

    /// <summary>The convolution once taps that read only padding are gone: large kernels in their own layout, then by layout.</summary>
    private static Tensor Conv2dUntrimmed(Tensor input, Tensor weight, Tensor? bias, Size2 s, Size2 p, Size2 d, long groups)
    {
        if (LargeKernelConvolution.Applies(input, weight))
            return LargeKernelConvolution.Compute(input, x => Conv2dInLayout(x, weight, bias, s, p, d, groups));
        return Conv2dInLayout(input, weight, bias, s, p, d, groups);
    }

    /// <summary>
    /// The convolution in the layout of its operands: oneDNN with a prepacked kernel for large kernels without gradients,
    /// oneDNN for a single float32 CPU image, aten::conv2d otherwise.
    /// </summary>
    private static Tensor Conv2dInLayout(Tensor input, Tensor weight, Tensor? bias, Size2 s, Size2 p, Size2 d, long groups)
    {
        if (PrepackedKernelConvolution.Applies(input, weight, bias, p, d, groups)) return PrepackedKernelConvolution.Compute(input, weight, bias, s, p, d, groups);
        if (SingleImageConvolution.Applies(input, weight, bias, p, d, groups)) return SingleImageConvolution.Compute(input, weight, bias, s, p, d, groups);
        return Conv2dNative(input, weight, bias, s, p, d, groups);
    }

    /// <summary>libtorch's own conv2d with every tap (the reference for the paths above).</summary>
    internal static Tensor Conv2dNative(Tensor input, Tensor weight, Tensor? bias, Size2 s, Size2 p, Size2 d, long groups)
    {
        var a = new OpArgs();
        return Ops.Conv2d.Tensor(ref a.T(input).T(weight).OptT(bias).Ints(s.Height, s.Width).Ints(p.Height, p.Width)
            .Ints(d.Height, d.Width).I(groups));
    }

    /// <summary>2-D transposed convolution (the adjoint of <see cref="Conv2d"/>); weight is C x K/groups x kh x kw.</summary>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null, Size2? stride = null,
        Size2? padding = null, Size2? outputPadding = null, long groups = 1, Size2? dilation = null)
    {
        var s = stride ?? 1;
        var p = padding ?? 0;
        var o = outputPadding ?? 0;
        var d = dilation ?? 1;
        if (TransposedConvolutionByPhases.Applies(input, weight, s, p, o, groups, d))
            return TransposedConvolutionByPhases.Compute(input, weight, bias, s, p, o);
        return ConvTranspose2dNative(input, weight, bias, s, p, o, groups, d);
    }

    /// <summary>libtorch's own conv_transpose2d (the reference for <see cref="TransposedConvolutionByPhases"/>).</summary>
    internal static Tensor ConvTranspose2dNative(Tensor input, Tensor weight, Tensor? bias, Size2 s, Size2 p, Size2 o, long groups, Size2 d)
    {
        var a = new OpArgs();
        return Ops.ConvTranspose2d.Tensor(ref a.T(input).T(weight).OptT(bias).Ints(s.Height, s.Width).Ints(p.Height, p.Width)
            .Ints(o.Height, o.Width).I(groups).Ints(d.Height, d.Width));
    }

    /// <summary>Max pooling that also returns the flat (per-plane) index of each maximum, for <see cref="MaxUnpool2d"/>.</summary>
    public static (Tensor Output, Tensor Indices) MaxPool2dWithIndices(Tensor input, Size2 kernelSize, Size2? stride = null,
        Size2? padding = null, Size2? dilation = null, bool ceilMode = false)
    {
        var s = stride ?? kernelSize;
        var p = padding ?? 0;
        var d = dilation ?? 1;
        var a = new OpArgs();
        return Ops.MaxPool2dWithIndices.Tensors2(ref a.T(input).Ints(kernelSize.Height, kernelSize.Width).Ints(s.Height, s.Width)
            .Ints(p.Height, p.Width).Ints(d.Height, d.Width).B(ceilMode));
    }

    /// <summary>Max pooling.</summary>
    public static Tensor MaxPool2d(Tensor input, Size2 kernelSize, Size2? stride = null, Size2? padding = null,
        Size2? dilation = null, bool ceilMode = false)
    {
        var s = stride ?? kernelSize;
        var p = padding ?? 0;
        var d = dilation ?? 1;
        var a = new OpArgs();
        return Ops.MaxPool2d.Tensor(ref a.T(input).Ints(kernelSize.Height, kernelSize.Width).Ints(s.Height, s.Width)
            .Ints(p.Height, p.Width).Ints(d.Height, d.Width).B(ceilMode));
    }

    /// <summary>
    /// Places each value at its remembered max-pooling index in a zero plane of <paramref name="outputSize"/>
    /// (given explicitly so odd input sizes round-trip).
    /// </summary>
    public static Tensor MaxUnpool2d(Tensor input, Tensor indices, Size2 outputSize)
    {
        var a = new OpArgs();
        return Ops.MaxUnpool2d.Tensor(ref a.T(input).T(indices).Ints(outputSize.Height, outputSize.Width));
    }

    /// <summary>Average pooling.</summary>
    public static Tensor AvgPool2d(Tensor input, Size2 kernelSize, Size2? stride = null, Size2? padding = null,
        bool ceilMode = false, bool countIncludePad = true)
    {
        var s = stride ?? kernelSize;
        var p = padding ?? 0;
        var a = new OpArgs();
        return Ops.AvgPool2d.Tensor(ref a.T(input).Ints(kernelSize.Height, kernelSize.Width).Ints(s.Height, s.Width)
            .Ints(p.Height, p.Width).B(ceilMode).B(countIncludePad).None());
    }

    /// <summary>Adaptive average pooling to <paramref name="outputSize"/> (1 = global average pooling).</summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, Size2 outputSize)
    {
        var a = new OpArgs();
        return Ops.AdaptiveAvgPool2d.Tensor(ref a.T(input).Ints(outputSize.Height, outputSize.Width));
    }

    /// <summary>
    /// Batch normalization over N, H, W per channel. In training mode the batch statistics are used and the
    /// running statistics (when given) are updated in place with <paramref name="momentum"/>.
    /// </summary>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null,
        Tensor? bias = null, bool training = false, double momentum = 0.1, double eps = 1e-5)
    {
        var a = new OpArgs();
        return Ops.BatchNorm.Tensor(ref a.T(input).OptT(weight).OptT(bias).OptT(runningMean).OptT(runningVar).B(training)
            .D(momentum).D(eps).B(true));
    }

    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor input)
    {
        var a = new OpArgs();
        return Ops.Relu.Tensor(ref a.T(input));
    }

    /// <summary>max(x, 0) in place; returns <paramref name="input"/>.</summary>
    public static Tensor ReluInPlace(Tensor input)
    {
        var a = new OpArgs();
        Ops.ReluInPlace.InPlace(ref a.T(input));
        return input;
    }

    /// <summary>x for x &gt; 0, else slope * x.</summary>
    public static Tensor LeakyRelu(Tensor input, double negativeSlope = 0.01)
    {
        var a = new OpArgs();
        return Ops.LeakyRelu.Tensor(ref a.T(input).D(negativeSlope));
    }

    /// <summary>1 / (1 + e^-x).</summary>
    public static Tensor Sigmoid(Tensor input)
    {
        var a = new OpArgs();
        return Ops.Sigmoid.Tensor(ref a.T(input));
    }

    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor input)
    {
        var a = new OpArgs();
        return Ops.Tanh.Tensor(ref a.T(input));
    }

    /// <summary>Softmax along <paramref name="dim"/>.</summary>
    public static Tensor Softmax(Tensor input, int dim)
    {
        var a = new OpArgs();
        return Ops.Softmax.Tensor(ref a.T(input).I(dim).None());
    }

    /// <summary>Log-softmax along <paramref name="dim"/>.</summary>
    public static Tensor LogSoftmax(Tensor input, int dim)
    {
        var a = new OpArgs();
        return Ops.LogSoftmax.Tensor(ref a.T(input).I(dim).None());
    }

    /// <summary>Resizes N x C x H x W input to <paramref name="size"/> (like F.interpolate with size=).</summary>
    public static Tensor Interpolate(Tensor input, Size2 size, InterpolationMode mode = InterpolationMode.Nearest,
        bool alignCorners = false)
    {
        var a = new OpArgs();
        return mode switch
        {
            InterpolationMode.Nearest => Ops.UpsampleNearest2d.Tensor(ref a.T(input).Ints(size.Height, size.Width)),
            InterpolationMode.Bilinear => Ops.UpsampleBilinear2d.Tensor(ref a.T(input).Ints(size.Height, size.Width).B(alignCorners)),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown interpolation mode"),
        };
    }

    /// <summary>Resizes by a scale factor (output = floor(size * scale), like F.interpolate with scale_factor=).</summary>
    public static Tensor Interpolate(Tensor input, double scaleFactor, InterpolationMode mode = InterpolationMode.Nearest,
        bool alignCorners = false)
    {
        if (!(scaleFactor > 0)) throw new ArgumentOutOfRangeException(nameof(scaleFactor), scaleFactor, "scale factor must be positive");
        if (input.Dim != 4) throw new ArgumentException($"Interpolate expects N x C x H x W input, got {input.ShapeString}", nameof(input));
        long h = (long)Math.Floor(input.Size(2) * scaleFactor);
        long w = (long)Math.Floor(input.Size(3) * scaleFactor);
        var a = new OpArgs();
        // Passing the scales makes the sampling grid match PyTorch's scale_factor path exactly.
        double? scale = alignCorners && mode == InterpolationMode.Bilinear ? null : scaleFactor;
        return mode switch
        {
            InterpolationMode.Nearest => Ops.UpsampleNearest2d.Tensor(ref a.T(input).Ints(h, w).OptD(scale).OptD(scale)),
            InterpolationMode.Bilinear => Ops.UpsampleBilinear2d.Tensor(ref a.T(input).Ints(h, w).B(alignCorners).OptD(scale).OptD(scale)),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown interpolation mode"),
        };
    }

    /// <summary>Zeroes elements with probability p and scales the rest by 1/(1-p) when training.</summary>
    public static Tensor Dropout(Tensor input, double p = 0.5, bool training = true)
    {
        if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
        var a = new OpArgs();
        return Ops.Dropout.Tensor(ref a.T(input).D(p).B(training));
    }

    /// <summary>Zeroes whole channels with probability p when training (Dropout2d).</summary>
    public static Tensor Dropout2d(Tensor input, double p = 0.5, bool training = true)
    {
        if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
        var a = new OpArgs();
        return Ops.FeatureDropout.Tensor(ref a.T(input).D(p).B(training));
    }

    /// <summary>
    /// Cross-entropy of N x K (x H x W) logits against int64 class ids, with optional class weights, an ignored
    /// id and label smoothing; the mean is over non-ignored pixels, weighted (as torch.nn.functional.cross_entropy).
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Tensor? weight = null, long ignoreIndex = -100,
        Reduction reduction = Reduction.Mean, double labelSmoothing = 0)
    {
        var a = new OpArgs();
        return Ops.CrossEntropyLoss.Tensor(ref a.T(logits).T(target).OptT(weight).I((long)reduction).I(ignoreIndex).D(labelSmoothing));
    }

    /// <summary>Negative log-likelihood of N x K (x H x W) log-probabilities against int64 class ids.</summary>
    public static Tensor NllLoss(Tensor logProbabilities, Tensor target, Tensor? weight = null, long ignoreIndex = -100,
        Reduction reduction = Reduction.Mean)
    {
        var a = new OpArgs();
        return Ops.NllLossNd.Tensor(ref a.T(logProbabilities).T(target).OptT(weight).I((long)reduction).I(ignoreIndex));
    }

    /// <summary>Mean squared error.</summary>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        var a = new OpArgs();
        return Ops.MseLoss.Tensor(ref a.T(input).T(target).I((long)reduction));
    }

    /// <summary>Binary cross-entropy on logits (numerically stable).</summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor? weight = null,
        Reduction reduction = Reduction.Mean, Tensor? positiveWeight = null)
    {
        var a = new OpArgs();
        return Ops.BinaryCrossEntropyWithLogits.Tensor(ref a.T(logits).T(target).OptT(weight).OptT(positiveWeight).I((long)reduction));
    }

    /// <summary>Counts of each value in a 1-D non-negative integer tensor (at least <paramref name="minLength"/> bins).</summary>
    public static Tensor BinCount(Tensor input, Tensor? weights = null, long minLength = 0)
    {
        var a = new OpArgs();
        return Ops.Bincount.Tensor(ref a.T(input).OptT(weights).I(minLength));
    }

    /// <summary>
    /// Samples N x C x H x W input at the normalized (x, y) locations of an N x Ho x Wo x 2 grid in [-1, 1]
    /// (bilinear or nearest), like torch.nn.functional.grid_sample.
    /// </summary>
    public static Tensor GridSample(Tensor input, Tensor grid, InterpolationMode mode = InterpolationMode.Bilinear,
        GridPadding padding = GridPadding.Zeros, bool alignCorners = false)
    {
        long interpolation = mode == InterpolationMode.Bilinear ? 0 : 1;
        var a = new OpArgs();
        return Ops.GridSampler.Tensor(ref a.T(input).T(grid).I(interpolation).I((long)padding).B(alignCorners));
    }
}
