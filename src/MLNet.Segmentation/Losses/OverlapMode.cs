namespace MLNet.Segmentation.Losses;

/// <summary>How overlap and focal losses read the logits.</summary>
public enum OverlapMode
{
    /// <summary>N x K x H x W logits, softmax over K, target holds class ids 0..K-1.</summary>
    Multiclass,
    /// <summary>N x 1 x H x W logits, sigmoid, target holds 0 (background) or 1 (foreground).</summary>
    Binary,
}
