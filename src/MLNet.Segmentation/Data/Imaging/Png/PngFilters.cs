namespace MLNet.Segmentation.Data.Codecs;

/// <summary>The five PNG row filters (none, sub, up, average, Paeth): reversing them when decoding, applying them when encoding.</summary>
internal static class PngFilters
{
    internal const int None = 0, Sub = 1, Up = 2, Average = 3, Paeth = 4;

    /// <summary>
    /// Reverses filter <paramref name="filter"/> on <paramref name="row"/> in place, given the previous
    /// (already reconstructed) row of the same pass, all zero for the first row. False for an unknown filter.
    /// </summary>
    internal static bool Reverse(int filter, Span<byte> row, ReadOnlySpan<byte> previous, int stride)
    {
        switch (filter)
        {
            case None:
                return true;
            case Sub:
                for (int i = stride; i < row.Length; i++) row[i] += row[i - stride];
                return true;
            case Up:
                for (int i = 0; i < row.Length; i++) row[i] += previous[i];
                return true;
            case Average:
                for (int i = 0; i < stride && i < row.Length; i++) row[i] += (byte)(previous[i] >> 1);
                for (int i = stride; i < row.Length; i++) row[i] += (byte)((row[i - stride] + previous[i]) >> 1);
                return true;
            case Paeth:
                for (int i = 0; i < stride && i < row.Length; i++) row[i] += previous[i];
                for (int i = stride; i < row.Length; i++) row[i] += Predict(row[i - stride], previous[i], previous[i - stride]);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Writes row <paramref name="row"/> filtered with <paramref name="filter"/> into <paramref name="output"/> (same length).</summary>
    internal static void Apply(int filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> previous, int stride, Span<byte> output)
    {
        for (int i = 0; i < row.Length; i++)
        {
            int left = i >= stride ? row[i - stride] : 0;
            int up = previous[i];
            int upLeft = i >= stride ? previous[i - stride] : 0;
            int prediction = filter switch
            {
                Sub => left,
                Up => up,
                Average => (left + up) >> 1,
                Paeth => Predict(left, up, upLeft),
                _ => 0,
            };
            output[i] = (byte)(row[i] - prediction);
        }
    }

    /// <summary>The Paeth predictor: of left, up and upper-left, the one closest to left + up - upper-left (ties in that order).</summary>
    internal static byte Predict(int left, int up, int upLeft)
    {
        int estimate = left + up - upLeft;
        int toLeft = Math.Abs(estimate - left), toUp = Math.Abs(estimate - up), toUpLeft = Math.Abs(estimate - upLeft);
        if (toLeft <= toUp && toLeft <= toUpLeft) return (byte)left;
        return toUp <= toUpLeft ? (byte)up : (byte)upLeft;
    }
}
