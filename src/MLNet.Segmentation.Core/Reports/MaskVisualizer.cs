using MLNet.Segmentation.Data;

namespace MLNet.Segmentation.Reports;

/// <summary>
/// Pictures of masks for people: predictions blended over the input image (for the class colours alone use
/// <see cref="ImageEncoder.MaskImage(ReadOnlySpan{long}, int, int, IReadOnlyList{Rgb}?)"/>, a palette image).
/// The tensor overload of <c>Overlay</c> is in <c>MaskVisualizerTensors</c>.
/// </summary>
public static class MaskVisualizer
{
    /// <summary>
    /// The planar image (<paramref name="channels"/> x H x W floats in [0, 1], 1 or 3 channels) with the class colours of
    /// the row-major <paramref name="ids"/> blended in at <paramref name="opacity"/>; class <paramref name="transparentClass"/>
    /// (e.g. background) and ids without a colour are left unblended.
    /// </summary>
    public static Image Overlay(ReadOnlySpan<float> image, int channels, ReadOnlySpan<long> ids, int width, int height,
        IReadOnlyList<Rgb> colours, double opacity = 0.5, long? transparentClass = 0)
    {
        ArgumentNullException.ThrowIfNull(colours);
        if (channels is not (1 or 3)) throw new ArgumentException($"expected a 1- or 3-channel image, got {channels} channels", nameof(channels));
        if (opacity is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(opacity), opacity, "opacity must be in [0, 1]");
        int plane = width * height;
        if (width <= 0 || height <= 0 || ids.Length != plane || image.Length != channels * plane)
            throw new ArgumentException($"a {width}x{height} overlay needs {channels * plane} image values and {plane} ids, got {image.Length} and {ids.Length}");
        var pixels = new byte[plane * 3];
        for (int i = 0; i < plane; i++)
        {
            bool blend = ids[i] != transparentClass && ids[i] >= 0 && ids[i] < colours.Count;
            var c = blend ? colours[(int)ids[i]] : default;
            for (int ch = 0; ch < 3; ch++)
            {
                double v = Math.Clamp(image[(channels == 1 ? 0 : ch) * plane + i], 0, 1) * 255;
                double colour = ch == 0 ? c.R : ch == 1 ? c.G : c.B;
                pixels[3 * i + ch] = (byte)Math.Round(blend ? (1 - opacity) * v + opacity * colour : v);
            }
        }
        return new Image(width, height, 3, pixels);
    }

    /// <summary>"#rrggbb" of a colour.</summary>
    public static string Hex(Rgb colour) => $"#{colour.R:x2}{colour.G:x2}{colour.B:x2}";
}
