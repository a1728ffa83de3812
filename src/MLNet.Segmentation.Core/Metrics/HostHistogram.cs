namespace MLNet.Segmentation.Metrics;

/// <summary>The host fast path of <see cref="ConfusionMatrix"/>: a branch-free 256 x 256 histogram of (target, prediction) byte pairs.</summary>
internal static class HostHistogram
{
    /// <summary>Adds bin (target &lt;&lt; 8 | prediction) for every pixel; spans have equal length, at most 2^30.</summary>
    internal static void Accumulate(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> target, int[] histogram)
    {
        int n = target.Length;
        int i = 0;
        // Four independent increments per step; runs of equal pixels in masks then do not serialize on one bin as much.
        for (; i + 4 <= n; i += 4)
        {
            int b0 = (target[i] << 8) | prediction[i];
            int b1 = (target[i + 1] << 8) | prediction[i + 1];
            int b2 = (target[i + 2] << 8) | prediction[i + 2];
            int b3 = (target[i + 3] << 8) | prediction[i + 3];
            histogram[b0]++;
            histogram[b1]++;
            histogram[b2]++;
            histogram[b3]++;
        }
        for (; i < n; i++) histogram[(target[i] << 8) | prediction[i]]++;
    }
}
