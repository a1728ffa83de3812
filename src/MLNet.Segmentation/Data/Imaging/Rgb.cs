namespace MLNet.Segmentation.Data;

/// <summary>An 8-bit RGB colour (palette entries, colour-coded masks, class colours).</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>The colour packed as 0xRRGGBB.</summary>
    public int Packed => (R << 16) | (G << 8) | B;

    /// <summary>The colour of a packed 0xRRGGBB value.</summary>
    public static Rgb FromPacked(int packed) => new((byte)(packed >> 16), (byte)(packed >> 8), (byte)packed);

    /// <inheritdoc />
    public override string ToString() => $"({R},{G},{B})";
}
