using System.Numerics;

namespace MLNet.Segmentation.Data;

/// <summary>Interleaved image samples to planar (C x H x W) floats, with channel conversion, in one pass.</summary>
internal static class ImagePlanes
{
    /// <summary>
    /// Writes <paramref name="image"/> as <paramref name="channels"/> planes of floats into <paramref name="destination"/>
    /// (channels x height x width), scaled to [0, 1] when <paramref name="scale"/>. Channels 1 from colour is the
    /// luminance 0.299 R + 0.587 G + 0.114 B, 3 from gray replicates it; alpha is dropped; the same count copies.
    /// </summary>
    internal static void Write(Image image, int channels, bool scale, Span<float> destination, string source)
    {
        int have = image.Channels;
        int color = have is 2 or 4 ? have - 1 : have;
        if (channels != have && channels is not (1 or 3))
            throw new InvalidDataException($"{source}: cannot convert a {have}-channel image to {channels} channel(s)");
        long plane = (long)image.Width * image.Height;
        if (destination.Length != plane * channels)
            throw new ArgumentException($"the destination holds {destination.Length} values, not {plane * channels}", nameof(destination));
        float factor = scale ? 1f / image.MaxValue : 1f;
        if (image.BitDepth == 8) Convert<byte>(image.Pixels8, have, color, channels, plane, factor, destination);
        else Convert<ushort>(image.Pixels16, have, color, channels, plane, factor, destination);
    }

    private static void Convert<T>(T[] samples, int have, int color, int channels, long plane, float factor, Span<float> destination)
        where T : unmanaged, INumberBase<T>
    {
        for (long p = 0; p < plane; p++)
        {
            long at = p * have;
            if (channels == have)
            {
                for (int c = 0; c < channels; c++) destination[(int)(c * plane + p)] = Value(samples[at + c]) * factor;
            }
            else if (channels == 1)
            {
                destination[(int)p] = color == 1
                    ? Value(samples[at]) * factor
                    : (0.299f * Value(samples[at]) + 0.587f * Value(samples[at + 1]) + 0.114f * Value(samples[at + 2])) * factor;
            }
            else if (color == 1)
            {
                float v = Value(samples[at]) * factor;
                destination[(int)p] = v;
                destination[(int)(plane + p)] = v;
                destination[(int)(2 * plane + p)] = v;
            }
            else
            {
                for (int c = 0; c < 3; c++) destination[(int)(c * plane + p)] = Value(samples[at + c]) * factor;
            }
        }
    }

    private static float Value<T>(T sample) where T : unmanaged, INumberBase<T> => float.CreateTruncating(sample);
}
