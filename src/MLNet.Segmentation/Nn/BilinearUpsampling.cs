using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Nn;

/// <summary>
/// Transposed convolutions initialized to bilinear interpolation (FCN's "upscore" layers): learnable upsampling that
/// starts out exactly bilinear. TorchSharp has the layer but not this initialization.
/// </summary>
public static class BilinearUpsampling
{
    /// <summary>
    /// A channel-wise upsampling by an even <paramref name="factor"/> (kernel 2f, stride f, padding f/2): output size =
    /// input size x f, initialized to bilinear interpolation.
    /// </summary>
    public static SafeConvTranspose2d Create(long channels, int factor, bool bias = false)
    {
        if (factor < 2 || factor % 2 != 0) throw new ArgumentOutOfRangeException(nameof(factor), factor, "the factor must be even and at least 2");
        var layer = Layers.ConvTranspose2d(channels, channels, 2 * factor, stride: factor, padding: factor / 2, bias: bias);
        Initialize(layer);
        return layer;
    }

    /// <summary>
    /// The k x k bilinear-interpolation kernel (the FCN upsampling filter): a transposed convolution with it and
    /// stride s = ceil(k/2) performs bilinear upsampling by s.
    /// </summary>
    public static float[] Kernel(int kernelSize)
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

    /// <summary>
    /// Sets <paramref name="layer"/>'s kernel to bilinear interpolation applied to each channel separately (zero across
    /// channels) and its bias to zero; needs as many input as output channels and a square kernel.
    /// </summary>
    public static void Initialize(ConvolutionTranspose layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        long inChannels = layer.in_channels, outChannels = layer.out_channels, groups = layer.groups;
        if (inChannels != outChannels || layer.kernel_size[0] != layer.kernel_size[1])
            throw new InvalidOperationException("bilinear initialization needs as many input as output channels and a square kernel");
        int k = (int)layer.kernel_size[0];
        var kernel = Kernel(k);
        long perGroupOut = outChannels / groups;
        var values = new float[inChannels * perGroupOut * k * k];
        for (long c = 0; c < inChannels; c++)
        {
            long o = perGroupOut == 1 ? 0 : c % perGroupOut;
            kernel.CopyTo(values, (c * perGroupOut + o) * k * k);
        }
        using (no_grad())
        using (var source = tensor(values, new long[] { inChannels, perGroupOut, k, k }))
        {
            layer.weight.copy_(source);
            layer.bias?.fill_(OwnedScalars.Zero);
        }
    }
}
