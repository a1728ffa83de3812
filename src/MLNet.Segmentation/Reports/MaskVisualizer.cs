using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Reports;

/// <summary>
/// Pictures of masks for people: predictions blended over the input image (for the class colours alone use
/// <see cref="ImageEncoder.MaskImage"/>, a palette image).
/// </summary>
public static class MaskVisualizer
{
    /// <summary>
    /// The C x H x W image (values in [0, 1], 1 or 3 channels) with the mask's class colours blended in at
    /// <paramref name="opacity"/>; class <paramref name="transparentClass"/> (e.g. background) is left unblended.
    /// </summary>
    public static Image Overlay(Tensor image, Tensor mask, IReadOnlyList<Rgb> colours, double opacity = 0.5, long? transparentClass = 0)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Dim != 3 || image.Size(0) is not (1 or 3))
            throw new ArgumentException($"expected a 1 x H x W or 3 x H x W image, got {image.ShapeString}", nameof(image));
        if (opacity is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(opacity), opacity, "opacity must be in [0, 1]");
        int height = (int)mask.Size(0), width = (int)mask.Size(1);
        if (image.Size(1) != height || image.Size(2) != width)
            throw new ArgumentException($"image {image.ShapeString} and mask {mask.ShapeString} differ in size");
        float[] values;
        using (var rgb = image.Size(0) == 1 ? image.Expand(3, -1, -1).Contiguous() : image.Contiguous())
        using (var f = rgb.To(Device.Cpu, DType.Float32))
            values = f.ToArray<float>();
        long[] ids;
        using (var asLong = mask.To(Device.Cpu, DType.Int64)) ids = asLong.ToArray<long>();
        int plane = height * width;
        var pixels = new byte[plane * 3];
        for (int i = 0; i < plane; i++)
        {
            bool blend = ids[i] != transparentClass && ids[i] >= 0 && ids[i] < colours.Count;
            var c = blend ? colours[(int)ids[i]] : default;
            for (int ch = 0; ch < 3; ch++)
            {
                double v = Math.Clamp(values[ch * plane + i], 0, 1) * 255;
                double colour = ch == 0 ? c.R : ch == 1 ? c.G : c.B;
                pixels[3 * i + ch] = (byte)Math.Round(blend ? (1 - opacity) * v + opacity * colour : v);
            }
        }
        return new Image(width, height, 3, pixels);
    }

    /// <summary>"#rrggbb" of a colour.</summary>
    public static string Hex(Rgb colour) => $"#{colour.R:x2}{colour.G:x2}{colour.B:x2}";
}
