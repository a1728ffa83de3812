namespace MLNet.Segmentation.Data.Codecs;

/// <summary>The five PNG row filters (none, sub, up, average, Paeth): reversing them when decoding, applying them when encoding.</summary>
internal static class PngFilters
{
    internal const int None = 0, Sub = 1, Up = 2, Average = 3, Paeth = 4;

    /// <summary>
    /// Reverses filter <paramref name="filter"/> on <paramref name="row"/> in place, given the previous
    /// (already reconstructed) row of the same pass, all zero for the first row. False for an unknown filter.
    /// </summary>
    internal static unsafe bool Reverse(int filter, Span<byte> row, ReadOnlySpan<byte> previous, int stride)
    {
        if (filter is < None or > Paeth) return false;
        if (previous.Length < row.Length) throw new ArgumentException("the previous row is shorter than the row", nameof(previous));
        int n = row.Length, head = Math.Min(stride, n);
        fixed (byte* r = row)
        fixed (byte* p = previous)
        {
            switch (filter)
            {
                case Sub:
                    for (int i = stride; i < n; i++) r[i] += r[i - stride];
                    break;
                case Up:
                    for (int i = 0; i < n; i++) r[i] += p[i];
                    break;
                case Average:
                    for (int i = 0; i < head; i++) r[i] += (byte)(p[i] >> 1);
                    for (int i = stride; i < n; i++) r[i] += (byte)((r[i - stride] + p[i]) >> 1);
                    break;
                case Paeth:
                    for (int i = 0; i < head; i++) r[i] += p[i];
                    for (int i = stride; i < n; i++) r[i] += Predict(r[i - stride], p[i], p[i - stride]);
                    break;
            }
        }
        return true;
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
        // |estimate - left| = |up - upLeft|, |estimate - up| = |left - upLeft|, |estimate - upLeft| = |left + up - 2 upLeft|.
        // Written as selections without early returns so that the JIT can use conditional moves.
        int toLeft = Math.Abs(up - upLeft), toUp = Math.Abs(left - upLeft), toUpLeft = Math.Abs(left + up - 2 * upLeft);
        int upOrUpLeft = toUp <= toUpLeft ? up : upLeft;
        int nearest = toUp <= toUpLeft ? toUp : toUpLeft;
        return (byte)(toLeft <= nearest ? left : upOrUpLeft);
    }
}
