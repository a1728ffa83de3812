namespace MLNet.Segmentation.Losses.BorderWeights;

/// <summary>Which neighbours join pixels into one connected component.</summary>
public enum Connectivity
{
    /// <summary>Up, down, left, right (scipy.ndimage.label's default).</summary>
    Four = 4,
    /// <summary>The four plus the diagonals.</summary>
    Eight = 8,
}
