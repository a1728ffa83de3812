using MLNet.Segmentation.Data;
using MLNet.Segmentation.Metrics.Evaluation;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// Reads class-id masks for `mlseg metrics` with the library's PNG/JPEG decoder: single-channel 8-bit images (gray, or
/// palette PNGs read as palette indices); any other file is rejected with a message naming it.
/// </summary>
public static class MetricsMaskReader
{
    /// <summary>Decodes the mask at <paramref name="path"/>; throws <see cref="InvalidDataException"/> naming the file when it cannot.</summary>
    public static DecodedMask Read(string path)
    {
        Image image;
        try
        {
            image = ImageDecoder.Read(path, ImageDecodeMode.Raw);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot read the file ({e.Message})", e);
        }
        if (image.Channels != 1 || image.BitDepth != 8)
            throw new InvalidDataException($"{path}: a class-id mask must be a single-channel 8-bit image (gray or palette), got {image.Channels} channel(s) at {image.BitDepth} bits");
        return new DecodedMask(image.Pixels8, image.Height, image.Width);
    }
}
