using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Nn;

/// <summary>Weight initializers (in place, without recording gradients), like torch.nn.init.</summary>
public static class Init
{
    /// <summary>Fan-in and fan-out of a weight whose dims are (out, in, kernel...) as PyTorch computes them.</summary>
    public static (long FanIn, long FanOut) Fans(Tensor weight)
    {
        if (weight.Dim < 2) throw new ArgumentException($"fans need a weight of at least 2 dimensions, got {weight.ShapeString}", nameof(weight));
        long receptive = 1;
        for (int d = 2; d < weight.Dim; d++) receptive *= weight.Size(d);
        return (weight.Size(1) * receptive, weight.Size(0) * receptive);
    }

    /// <summary>U(-bound, bound).</summary>
    public static Tensor Uniform(Tensor tensor, double bound, Generator? generator = null)
    {
        using (Autograd.NoGrad()) tensor.UniformInPlace(-bound, bound, generator);
        return tensor;
    }

    /// <summary>PyTorch's default for convolutions: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming-uniform with a = sqrt(5)).</summary>
    public static Tensor DefaultConvolution(Tensor weight, Generator? generator = null) =>
        Uniform(weight, 1.0 / Math.Sqrt(Math.Max(1, Fans(weight).FanIn)), generator);

    /// <summary>Kaiming-normal for ReLU networks: N(0, 2 / fan) with fan = fan_out (torchvision's ResNet/VGG) or fan_in.</summary>
    public static Tensor KaimingNormal(Tensor weight, bool fanOut = true, Generator? generator = null)
    {
        var (fanIn, fanOutValue) = Fans(weight);
        double std = Math.Sqrt(2.0 / Math.Max(1, fanOut ? fanOutValue : fanIn));
        using (Autograd.NoGrad()) weight.NormalInPlace(0, std, generator);
        return weight;
    }

    /// <summary>Fills with a constant.</summary>
    public static Tensor Constant(Tensor tensor, double value)
    {
        using (Autograd.NoGrad()) tensor.Fill(value);
        return tensor;
    }

    /// <summary>
    /// The k x k bilinear-interpolation kernel (the FCN upsampling filter): a transposed convolution with it and
    /// stride s = ceil(k/2) performs bilinear upsampling by s.
    /// </summary>
    public static float[] BilinearKernel(int kernelSize)
    {
        if (kernelSize < 1) throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "kernel size must be positive");
        int factor = (kernelSize + 1) / 2;
        double center = kernelSize % 2 == 1 ? factor - 1 : factor - 0.5;
        var kernel = new float[kernelSize * kernelSize];
        for (int i = 0; i < kernelSize; i++)
            for (int j = 0; j < kernelSize; j++)
                kernel[i * kernelSize + j] = (float)((1 - Math.Abs(i - center) / factor) * (1 - Math.Abs(j - center) / factor));
        return kernel;
    }
}
