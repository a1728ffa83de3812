namespace MLNet.Segmentation.Losses.BorderWeights;

/// <summary>Connected-component labelling of a 2-D class-id mask.</summary>
public static class ConnectedComponents
{
    /// <summary>
    /// Labels each connected region of pixels sharing the same class id with 1, 2, ...; pixels for which
    /// <paramref name="include"/> is false (e.g. background) get 0. Labels are numbered in raster order of each
    /// component's first pixel. Returns the label image and the number of components.
    /// </summary>
    public static (int[] Labels, int Count) Label(ReadOnlySpan<long> mask, int height, int width, Func<long, bool> include,
        Connectivity connectivity = Connectivity.Four)
    {
        ArgumentNullException.ThrowIfNull(include);
        if ((long)height * width != mask.Length)
            throw new ArgumentException($"mask has {mask.Length} pixels, not {height}x{width}", nameof(mask));
        var labels = new int[mask.Length];
        var stack = new Stack<int>();
        int count = 0;
        for (int start = 0; start < mask.Length; start++)
        {
            if (labels[start] != 0 || !include(mask[start])) continue;
            long cls = mask[start];
            labels[start] = ++count;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int p = stack.Pop();
                int y = p / width, x = p % width;
                for (int dy = -1; dy <= 1; dy++)
                {
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        if (dy == 0 && dx == 0) continue;
                        if (connectivity == Connectivity.Four && dy != 0 && dx != 0) continue;
                        int ny = y + dy, nx = x + dx;
                        if ((uint)ny >= (uint)height || (uint)nx >= (uint)width) continue;
                        int q = ny * width + nx;
                        if (labels[q] != 0 || mask[q] != cls) continue;
                        labels[q] = count;
                        stack.Push(q);
                    }
                }
            }
        }
        return (labels, count);
    }
}
