using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;

namespace MLNet.Segmentation.Models;

/// <summary>
/// A convolutional autoencoder for unsupervised pre-training: "encoder" is a <see cref="UNetEncoder"/> (so it can
/// initialize a U-Net's encoder), "decoder.{i}" are up-blocks without skip connections and "reconstruction" is 1x1
/// back to the image channels. Output: N x C x H x W reconstructions (any H x W: zero-padded to a multiple of
/// 2^Depth, then cropped). Train with <see cref="ReconstructionLoss"/> (MSE).
/// </summary>
public class ConvAutoencoder : Module
{
    private readonly List<UNetUpBlock> _decoder = new();

    /// <summary>An autoencoder as described by <paramref name="options"/>.</summary>
    public ConvAutoencoder(ConvAutoencoderOptions? options = null, Generator? generator = null)
    {
        Options = options ?? new ConvAutoencoderOptions();
        Options.MatchingUNet.Validate();
        Encoder = RegisterModule("encoder", new UNetEncoder(Options.InChannels, Options.Depth, Options.BaseWidth, true, Options.BatchNorm, generator));
        var decoder = RegisterModule("decoder", new ModuleList());
        long width = Encoder.OutChannels;
        for (int i = 0; i < Options.Depth; i++)
        {
            var block = new UNetUpBlock(width, UNetUpsampling.TransposedConv, true, Options.BatchNorm, withSkip: false, generator);
            decoder.Add(block);
            _decoder.Add(block);
            width = block.OutChannels;
        }
        RegisterModule("reconstruction", new Conv2d(width, Options.InChannels, 1, generator: generator));
    }

    /// <summary>The options it was built with.</summary>
    public ConvAutoencoderOptions Options { get; }

    /// <summary>The encoder (same structure as the matching U-Net's).</summary>
    public UNetEncoder Encoder { get; }

    /// <summary>The architecture's name.</summary>
    public virtual string Architecture => "Conv autoencoder";

    /// <summary>Reconstructs the input.</summary>
    public override Tensor Forward(Tensor input)
    {
        if (input.Dim != 4 || input.Size(1) != Options.InChannels)
            throw new ArgumentException($"{Architecture} expects N x {Options.InChannels} x H x W input, got {input.ShapeString}", nameof(input));
        long h = input.Size(2), w = input.Size(3);
        var y = Encoder.Forward(SpatialFit.PadToMultiple(input, 1L << Options.Depth));
        foreach (var block in _decoder) y = block.Forward(y);
        return SpatialFit.CropTopLeft(Child("reconstruction").Forward(y), h, w);
    }

    /// <summary>Mean squared error between the reconstruction of <paramref name="input"/> and the clean <paramref name="input"/>.</summary>
    public virtual Tensor ReconstructionLoss(Tensor input) => Functional.MseLoss(Forward(input), input);

    /// <summary>
    /// Copies the pre-trained encoder into <paramref name="unet"/>'s encoder (it must have the same depth, width,
    /// BatchNorm and channels); returns the load report.
    /// </summary>
    public StateDictLoadReport InitializeEncoder(UNet unet)
    {
        ArgumentNullException.ThrowIfNull(unet);
        using var weights = Encoder.StateDict();
        return unet.Encoder.LoadStateDict(weights, strict: true);
    }
}
