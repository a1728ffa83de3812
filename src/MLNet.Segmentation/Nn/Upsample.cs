using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Nn;

/// <summary>How <see cref="Upsample"/> fills the new pixels.</summary>
public enum UpsampleMode
{
    /// <summary>Copy of the nearest input pixel.</summary>
    Nearest,
    /// <summary>Bilinear interpolation.</summary>
    Bilinear,
    /// <summary>"Bed of nails": each input pixel goes to the top-left of its s x s block, the rest is zero.</summary>
    ZeroInsertion,
}

/// <summary>Parameter-free upsampling by an integer factor (nearest, bilinear or zero insertion).</summary>
public sealed class Upsample : Module
{
    /// <summary>Upsampling by <paramref name="scaleFactor"/> with <paramref name="mode"/>; bilinear uses half-pixel centers unless <paramref name="alignCorners"/>.</summary>
    public Upsample(int scaleFactor, UpsampleMode mode = UpsampleMode.Nearest, bool alignCorners = false)
    {
        if (scaleFactor < 1) throw new ArgumentOutOfRangeException(nameof(scaleFactor), scaleFactor, "the scale factor must be at least 1");
        ScaleFactor = scaleFactor;
        Mode = mode;
        AlignCorners = alignCorners;
    }

    /// <summary>Integer scale factor.</summary>
    public int ScaleFactor { get; }

    /// <summary>Fill mode.</summary>
    public UpsampleMode Mode { get; }

    /// <summary>Bilinear with corner pixels aligned.</summary>
    public bool AlignCorners { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) =>
        Forward(input, new Size2(input.Size(2) * ScaleFactor, input.Size(3) * ScaleFactor));

    /// <summary>Upsamples to <paramref name="size"/> (zero insertion: scale, then crop or zero-pad to the size).</summary>
    public Tensor Forward(Tensor input, Size2 size)
    {
        if (input.Dim != 4) throw new ArgumentException($"Upsample expects N x C x H x W input, got {input.ShapeString}", nameof(input));
        return Mode switch
        {
            UpsampleMode.Nearest => Functional.Interpolate(input, size, InterpolationMode.Nearest),
            UpsampleMode.Bilinear => Functional.Interpolate(input, size, InterpolationMode.Bilinear, AlignCorners),
            UpsampleMode.ZeroInsertion => ZeroInsert(input, ScaleFactor, size),
            _ => throw new InvalidOperationException($"unknown upsample mode {Mode}"),
        };
    }

    /// <summary>Bed-of-nails upsampling: value (i, j) goes to (s*i, s*j), zeros elsewhere; then fit to <paramref name="size"/>.</summary>
    public static Tensor ZeroInsert(Tensor input, int scale, Size2 size)
    {
        long n = input.Size(0), c = input.Size(1), h = input.Size(2), w = input.Size(3);
        // N x C x H x 1 x W x 1, zero-padded to N x C x H x s x W x s, is row-major the same as N x C x sH x sW.
        var spread = input.Reshape(n, c, h, 1, w, 1).Pad([0, scale - 1, 0, 0, 0, scale - 1]).Reshape(n, c, h * scale, w * scale);
        return spread.Pad([0, size.Width - w * scale, 0, size.Height - h * scale]);
    }
}
