using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Models;

/// <summary>
/// A convolutional autoencoder for unsupervised pre-training: "encoder" is a <see cref="UNetEncoder"/> (so it can
/// initialize a U-Net's encoder), "decoder.{i}" are up-blocks without skip connections and "reconstruction" is 1x1
/// back to the image channels. Output: N x C x H x W reconstructions (any H x W: zero-padded to a multiple of
/// 2^Depth, then cropped). Train with <see cref="ReconstructionLoss"/> (MSE).
/// </summary>
public class ConvAutoencoder : nn.Module<Tensor, Tensor>
{
    private readonly UNetEncoder encoder;
    private readonly ModuleList<UNetUpBlock> decoder;
    private readonly SafeConv2d reconstruction;

    /// <summary>An autoencoder as described by <paramref name="options"/>.</summary>
    public ConvAutoencoder(ConvAutoencoderOptions? options = null) : base(nameof(ConvAutoencoder))
    {
        Options = options ?? new ConvAutoencoderOptions();
        Options.MatchingUNet.Validate();
        encoder = new UNetEncoder(Options.InChannels, Options.Depth, Options.BaseWidth, true, Options.BatchNorm);
        decoder = new ModuleList<UNetUpBlock>();
        long width = encoder.OutChannels;
        for (int i = 0; i < Options.Depth; i++)
        {
            var block = new UNetUpBlock(width, UNetUpsampling.TransposedConv, true, Options.BatchNorm, withSkip: false);
            decoder.Add(block);
            width = block.OutChannels;
        }
        reconstruction = Layers.Conv2d(width, Options.InChannels, 1);
        RegisterComponents();
    }

    /// <summary>The options it was built with.</summary>
    public ConvAutoencoderOptions Options { get; }

    /// <summary>The encoder (same structure as the matching U-Net's).</summary>
    public UNetEncoder Encoder => encoder;

    /// <summary>The architecture's name.</summary>
    public virtual string Architecture => "Conv autoencoder";

    /// <summary>Reconstructs the input.</summary>
    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4 || input.size(1) != Options.InChannels)
            throw new ArgumentException($"{Architecture} expects N x {Options.InChannels} x H x W input, got {TensorData.ShapeOf(input)}", nameof(input));
        using var scope = NewDisposeScope();
        long h = input.size(2), w = input.size(3);
        var y = encoder.call(SpatialFit.PadToMultiple(input, 1L << Options.Depth));
        foreach (var block in decoder) y = block.ForwardWithoutSkip(y);
        return SpatialFit.CropTopLeft(reconstruction.call(y), h, w).MoveToOuterDisposeScope();
    }

    /// <summary>Mean squared error between the reconstruction of <paramref name="input"/> and the clean <paramref name="input"/>.</summary>
    public virtual Tensor ReconstructionLoss(Tensor input)
    {
        using var scope = NewDisposeScope();
        return nn.functional.mse_loss(call(input), input).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Copies the pre-trained encoder into <paramref name="unet"/>'s encoder (it must have the same depth, width,
    /// BatchNorm and channels); returns the load report.
    /// </summary>
    public StateDictLoadReport InitializeEncoder(UNet unet)
    {
        ArgumentNullException.ThrowIfNull(unet);
        using var weights = encoder.StateDictOf();
        return unet.Encoder.Load(weights, strict: true);
    }
}
