using MLNet.Segmentation.Data;
using MLNet.Segmentation.Metrics.Evaluation;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// Reads class-id masks for `mlseg metrics` with the data layer's <see cref="MaskReader"/>, so every mask format that
/// training reads works here too: 1/2/4/8/16-bit gray class ids and palette PNGs (the indices). Ids are checked against
/// the class count and the ignore id there; the evaluator counts in bytes, so the ignore id becomes 255.
/// </summary>
public static class MetricsMaskReader
{
    /// <summary>The ignore id as the evaluator sees it.</summary>
    public const byte IgnoreByte = 255;

    /// <summary>
    /// A reader for masks of <paramref name="classes"/> classes (1..256; at most 255 with an ignore id) whose ground
    /// truth may hold <paramref name="ignore"/>; every problem is an <see cref="InvalidDataException"/> naming the file.
    /// </summary>
    public static Func<string, DecodedMask> For(int classes, long? ignore)
    {
        if (ignore is not null && classes > 255)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "with an ignore id, at most 255 classes can be evaluated");
        var reader = new MaskReader(new MaskOptions { Encoding = MaskEncoding.Auto, NumClasses = classes, IgnoreIndex = ignore });
        return path =>
        {
            long[] ids;
            int width, height;
            try
            {
                ids = reader.ReadIds(path, out width, out height);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidDataException($"{path}: cannot read the file ({e.Message})", e);
            }
            var pixels = new byte[ids.Length];
            for (int k = 0; k < ids.Length; k++) pixels[k] = ids[k] == ignore ? IgnoreByte : (byte)ids[k];
            return new DecodedMask(pixels, height, width);
        };
    }
}
