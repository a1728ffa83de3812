namespace MLNet.Segmentation.Data;

/// <summary>An 8-bit RGB colour (palette entries, colour-coded masks, class colours).</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>The colour packed as 0xRRGGBB.</summary>
    public int Packed => (R << 16) | (G << 8) | B;

    /// <summary>The colour of a packed 0xRRGGBB value.</summary>
    public static Rgb FromPacked(int packed) => new((byte)(packed >> 16), (byte)(packed >> 8), (byte)packed);

    /// <summary>Parses "#rrggbb" (as written by <c>MaskVisualizer.Hex</c>); false for anything else.</summary>
    public static bool TryParseHex(string? text, out Rgb colour)
    {
        colour = default;
        if (text is null || text.Length != 7 || text[0] != '#' ||
            !int.TryParse(text.AsSpan(1), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out int packed))
            return false;
        colour = FromPacked(packed);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"({R},{G},{B})";
}
