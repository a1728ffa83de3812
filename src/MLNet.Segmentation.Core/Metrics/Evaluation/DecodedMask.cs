namespace MLNet.Segmentation.Metrics.Evaluation;

/// <summary>A decoded single-channel mask: one class id per pixel, row-major.</summary>
public readonly record struct DecodedMask(byte[] Pixels, int Height, int Width);
