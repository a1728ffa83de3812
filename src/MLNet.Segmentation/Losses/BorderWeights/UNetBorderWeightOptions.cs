namespace MLNet.Segmentation.Losses.BorderWeights;

/// <summary>Options of <see cref="UNetBorderWeightMap"/>.</summary>
public sealed record UNetBorderWeightOptions
{
    /// <summary>Height of the border term, w0 (default 10, as in the U-Net paper).</summary>
    public double W0 { get; init; } = 10;

    /// <summary>Width of the border term in pixels, sigma (default 5, as in the U-Net paper).</summary>
    public double Sigma { get; init; } = 5;

    /// <summary>Neighbourhood that joins object pixels into one object (default 4-connectivity).</summary>
    public Connectivity Connectivity { get; init; } = Connectivity.Four;

    /// <summary>The background class id: its pixels form no objects (default 0).</summary>
    public long BackgroundClass { get; init; }

    /// <summary>Target id that gets weight 0 and forms no objects, or null.</summary>
    public long? IgnoreIndex { get; init; }

    /// <summary>
    /// Fixed class weights w_c (length K, indexed by class id), or null (the default) for frequency balancing per
    /// mask: w_c = n / (C n_c), n = non-ignored pixels, n_c = pixels of class c, C = classes present.
    /// </summary>
    public double[]? ClassWeights { get; init; }

    /// <summary>
    /// When true (the default, as the common U-Net implementations) the border term is added on background pixels
    /// only (inside an object d1 = 0); when false it is added everywhere.
    /// </summary>
    public bool BorderOnBackgroundOnly { get; init; } = true;

    /// <summary>At most this many objects (the largest) enter d1 and d2, which cost one distance transform each (default 256).</summary>
    public int MaxComponents { get; init; } = 256;
}
