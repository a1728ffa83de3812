using MLNet.Segmentation.Nn;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Models;

/// <summary>
/// U-Net (Ronneberger et al.): "encoder" (<see cref="UNetEncoder"/>), "decoder.{i}" (<see cref="UNetUpBlock"/>, deepest
/// first) and a 1x1 "classifier". Any H x W: with 'same' padding the input is zero-padded at the bottom/right to a
/// multiple of 2^Depth and the logits cropped back; with 'valid' padding the input is mirror-padded so the valid output
/// covers it (the paper's overlap-tile strategy) and the logits are cropped to H x W.
/// </summary>
public sealed class UNet : SegmentationModel
{
    private readonly UNetEncoder encoder;
    private readonly ModuleList<UNetUpBlock> decoder;
    private readonly SafeConv2d classifier;

    /// <summary>A U-Net for <paramref name="numClasses"/> classes.</summary>
    public UNet(long numClasses, UNetOptions? options = null)
        : base(nameof(UNet), (options ?? new UNetOptions()).InChannels, numClasses)
    {
        Options = options ?? new UNetOptions();
        Options.Validate();
        bool same = Options.Padding == UNetPadding.Same;
        encoder = new UNetEncoder(Options.InChannels, Options.Depth, Options.BaseWidth, same, Options.BatchNorm);
        decoder = new ModuleList<UNetUpBlock>();
        long width = encoder.OutChannels;
        for (int i = 0; i < Options.Depth; i++)
        {
            var block = new UNetUpBlock(width, Options.Upsampling, same, Options.BatchNorm, withSkip: true);
            decoder.Add(block);
            width = block.OutChannels;
        }
        classifier = ClassifierHead.Create(width, numClasses);
        RegisterComponents();
    }

    /// <summary>The options it was built with.</summary>
    public UNetOptions Options { get; }

    /// <summary>The contracting path.</summary>
    public UNetEncoder Encoder => encoder;

    /// <inheritdoc />
    public override string Architecture => Options.Padding == UNetPadding.Same ? "U-Net" : "U-Net (valid)";

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        using var scope = NewDisposeScope();
        long h = input.size(2), w = input.size(3);
        var x = Options.Padding == UNetPadding.Same
            ? SpatialFit.PadToMultiple(input, 1L << Options.Depth)
            : MirrorPadForValid(input);
        var levels = encoder.ForwardLevels(x);
        var y = levels[^1];
        for (int i = 0; i < decoder.Count; i++)
            y = decoder[i].call(y, levels[levels.Count - 2 - i]);
        return SpatialFit.CropTopLeft(classifier.call(y), h, w).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The 'valid' network's output size for an input of <paramref name="inputSize"/> pixels, or -1 when some pooling
    /// would see an odd size (such inputs are not used).
    /// </summary>
    public static long ValidOutputSize(long inputSize, int depth)
    {
        long x = inputSize;
        for (int i = 0; i < depth; i++)
        {
            x -= 4;
            if (x <= 0 || x % 2 != 0) return -1;
            x /= 2;
        }
        x -= 4;
        if (x <= 0) return -1;
        for (int i = 0; i < depth; i++) x = 2 * x - 4;
        return x > 0 ? x : -1;
    }

    /// <summary>The smallest valid input size whose output has at least <paramref name="outputSize"/> pixels.</summary>
    public static long ValidInputSize(long outputSize, int depth)
    {
        for (long input = outputSize; ; input++)
            if (ValidOutputSize(input, depth) >= outputSize) return input;
    }

    private Tensor MirrorPadForValid(Tensor input)
    {
        long h = input.size(2), w = input.size(3);
        int d = Options.Depth;
        long inH = ValidInputSize(h, d), inW = ValidInputSize(w, d);
        // The output is centered in the input: ((in - out) / 2) pixels are lost on each side.
        long top = (inH - ValidOutputSize(inH, d)) / 2, left = (inW - ValidOutputSize(inW, d)) / 2;
        return SpatialFit.MirrorPad(input, top, inH - h - top, left, inW - w - left);
    }
}
