using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Nn;

/// <summary>How <see cref="Upsample2d"/> fills the new pixels.</summary>
public enum Upsample2dMode
{
    /// <summary>Copy of the nearest input pixel.</summary>
    Nearest,
    /// <summary>Bilinear interpolation.</summary>
    Bilinear,
    /// <summary>"Bed of nails": each input pixel goes to the top-left of its s x s block, the rest is zero.</summary>
    ZeroInsertion,
}

/// <summary>
/// Parameter-free upsampling by an integer factor: nearest, bilinear or zero insertion ("bed of nails", which
/// TorchSharp's nn.Upsample2d does not offer).
/// </summary>
public sealed class Upsample2d : nn.Module<Tensor, Tensor>
{
    /// <summary>Upsampling by <paramref name="scaleFactor"/> with <paramref name="mode"/>; bilinear uses half-pixel centers unless <paramref name="alignCorners"/>.</summary>
    public Upsample2d(int scaleFactor, Upsample2dMode mode = Upsample2dMode.Nearest, bool alignCorners = false) : base(nameof(Upsample2d))
    {
        if (scaleFactor < 1) throw new ArgumentOutOfRangeException(nameof(scaleFactor), scaleFactor, "the scale factor must be at least 1");
        ScaleFactor = scaleFactor;
        Mode = mode;
        AlignCorners = alignCorners;
    }

    /// <summary>Integer scale factor.</summary>
    public int ScaleFactor { get; }

    /// <summary>Fill mode.</summary>
    public Upsample2dMode Mode { get; }

    /// <summary>Bilinear with corner pixels aligned.</summary>
    public bool AlignCorners { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        return Forward(input, input.size(2) * ScaleFactor, input.size(3) * ScaleFactor);
    }

    private static void CheckInput(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4) throw new ArgumentException($"Upsample2d expects N x C x H x W input, got {Engine.TensorData.ShapeText(input.shape)}", nameof(input));
    }

    /// <summary>Upsamples to <paramref name="height"/> x <paramref name="width"/> (zero insertion: scale, then crop or zero-pad to the size).</summary>
    public Tensor Forward(Tensor input, long height, long width)
    {
        CheckInput(input);
        return Mode switch
        {
            Upsample2dMode.Nearest => nn.functional.interpolate(input, [height, width], mode: InterpolationMode.Nearest),
            Upsample2dMode.Bilinear => nn.functional.interpolate(input, [height, width], mode: InterpolationMode.Bilinear, align_corners: AlignCorners),
            Upsample2dMode.ZeroInsertion => ZeroInsert(input, ScaleFactor, height, width),
            _ => throw new InvalidOperationException($"unknown upsample mode {Mode}"),
        };
    }

    /// <summary>Bed-of-nails upsampling: value (i, j) goes to (s*i, s*j), zeros elsewhere; then fit to <paramref name="height"/> x <paramref name="width"/>.</summary>
    public static Tensor ZeroInsert(Tensor input, int scale, long height, long width)
    {
        using var scope = NewDisposeScope();
        long n = input.size(0), c = input.size(1), h = input.size(2), w = input.size(3);
        // N x C x H x 1 x W x 1, zero-padded to N x C x H x s x W x s, is row-major the same as N x C x sH x sW.
        var spread = nn.functional.pad(input.reshape(n, c, h, 1, w, 1), [0, scale - 1, 0, 0, 0, scale - 1]).reshape(n, c, h * scale, w * scale);
        return nn.functional.pad(spread, [0, width - w * scale, 0, height - h * scale]).MoveToOuterDisposeScope();
    }
}
