using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Models;

/// <summary>
/// A denoising autoencoder: in training mode its input is corrupted with Gaussian noise of
/// <see cref="NoiseStandardDeviation"/> before encoding, and <see cref="ConvAutoencoder.ReconstructionLoss"/> compares
/// the reconstruction with the clean input. In eval mode it behaves as a plain <see cref="ConvAutoencoder"/>.
/// </summary>
public sealed class DenoisingAutoencoder : ConvAutoencoder
{
    private readonly Generator? _generator;

    /// <summary>A denoising autoencoder; the noise is drawn from <paramref name="generator"/> (not owned) or the global one.</summary>
    public DenoisingAutoencoder(ConvAutoencoderOptions? options = null, double noiseStandardDeviation = 0.1, Generator? generator = null)
        : base(options)
    {
        if (!(noiseStandardDeviation >= 0)) throw new ArgumentOutOfRangeException(nameof(noiseStandardDeviation), noiseStandardDeviation, "noise must be non-negative");
        NoiseStandardDeviation = noiseStandardDeviation;
        _generator = generator;
    }

    /// <summary>Standard deviation of the additive Gaussian corruption.</summary>
    public double NoiseStandardDeviation { get; }

    /// <inheritdoc />
    public override string Architecture => "Denoising autoencoder";

    /// <summary>The input plus Gaussian noise (a new tensor).</summary>
    public Tensor Corrupt(Tensor input)
    {
        using var scope = NewDisposeScope();
        var generator = _generator?.device.type == input.device_type ? _generator : null;
        var noise = randn(input.shape, dtype: input.dtype, device: input.device, generator: generator);
        return input.PlusScaled(noise, NoiseStandardDeviation).MoveToOuterDisposeScope();
    }

    /// <summary>Reconstructs the input (corrupted first in training mode).</summary>
    public override Tensor forward(Tensor input)
    {
        if (!training || NoiseStandardDeviation == 0) return base.forward(input);
        using var scope = NewDisposeScope();
        return base.forward(Corrupt(input)).MoveToOuterDisposeScope();
    }
}
