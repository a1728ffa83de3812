using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Models;

/// <summary>
/// A denoising autoencoder: in training mode its input is corrupted with Gaussian noise of
/// <see cref="NoiseStandardDeviation"/> before encoding, and <see cref="ConvAutoencoder.ReconstructionLoss"/> compares
/// the reconstruction with the clean input. In eval mode it behaves as a plain <see cref="ConvAutoencoder"/>.
/// </summary>
public sealed class DenoisingAutoencoder : ConvAutoencoder
{
    private readonly Generator? _generator;

    /// <summary>
    /// A denoising autoencoder; <paramref name="generator"/> (not owned) seeds both the initialization and the noise.
    /// </summary>
    public DenoisingAutoencoder(ConvAutoencoderOptions? options = null, double noiseStandardDeviation = 0.1, Generator? generator = null)
        : base(options, generator)
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
        using var noise = Tensor.Randn(input.Shape, _generator?.Device == input.Device ? _generator : null, input.DType, input.Device);
        return input + noise * NoiseStandardDeviation;
    }

    /// <summary>Reconstructs the input (corrupted first in training mode).</summary>
    public override Tensor Forward(Tensor input) =>
        base.Forward(IsTraining && NoiseStandardDeviation > 0 ? Corrupt(input) : input);
}
