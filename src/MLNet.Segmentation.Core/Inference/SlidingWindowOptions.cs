using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Inference;

/// <summary>How overlapping tiles are weighted when their outputs are blended.</summary>
public enum TileBlending
{
    /// <summary>Every pixel of a tile counts equally.</summary>
    Constant,
    /// <summary>A Gaussian centred on the tile: tile borders, where context is missing, count less.</summary>
    Gaussian,
}

/// <summary>Options of <c>SlidingWindowInference</c> (defaults follow common practice, e.g. MONAI's).</summary>
public sealed record SlidingWindowOptions
{
    /// <summary>The tile (window) size fed to the network.</summary>
    public Size2 TileSize { get; init; } = (256, 256);

    /// <summary>Fraction of a tile shared with its neighbour, in [0, 1).</summary>
    public double Overlap { get; init; } = 0.25;

    /// <summary>How overlapping outputs are weighted.</summary>
    public TileBlending Blending { get; init; } = TileBlending.Gaussian;

    /// <summary>Gaussian standard deviation as a fraction of the tile size.</summary>
    public double SigmaScale { get; init; } = 0.125;

    /// <summary>How many tiles go through the network at once.</summary>
    public int TilesPerBatch { get; init; } = 4;

    /// <summary>Checks the options.</summary>
    public void Validate()
    {
        if (TileSize.Height <= 0 || TileSize.Width <= 0) throw new ArgumentOutOfRangeException(nameof(TileSize), TileSize, "tile size must be positive");
        if (Overlap is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Overlap), Overlap, "overlap must be in [0, 1)");
        if (!(SigmaScale > 0)) throw new ArgumentOutOfRangeException(nameof(SigmaScale), SigmaScale, "sigma scale must be > 0");
        if (TilesPerBatch <= 0) throw new ArgumentOutOfRangeException(nameof(TilesPerBatch), TilesPerBatch, "tiles per batch must be > 0");
    }
}
