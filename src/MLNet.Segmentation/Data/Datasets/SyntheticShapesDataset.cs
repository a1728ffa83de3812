using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Data;

/// <summary>
/// Generated RGB images of circles (class 1), axis-aligned rectangles (2) and triangles (3) on textured,
/// noisy backgrounds (0), with exact masks. Each sample depends only on (seed, index), so the data is
/// reproducible and needs no files; each class has its own colour family and outline, so a small
/// U-Net learns it in minutes on a CPU. See <see cref="DatasetDescription.SyntheticShapes"/>.
/// </summary>
public sealed class SyntheticShapesDataset : ISegmentationDataset
{
    private static readonly float[][] ClassTints =
    [
        [0f, 0f, 0f],
        [0.90f, 0.25f, 0.25f],
        [0.25f, 0.80f, 0.25f],
        [0.25f, 0.35f, 0.90f],
    ];

    /// <summary>A dataset of <paramref name="count"/> images of <paramref name="height"/> x <paramref name="width"/> pixels.</summary>
    public SyntheticShapesDataset(int count, int height = 96, int width = 96, int seed = 0, int maxShapes = 4)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (height < 16 || width < 16) throw new ArgumentOutOfRangeException(nameof(height), "images are at least 16 x 16");
        ArgumentOutOfRangeException.ThrowIfLessThan(maxShapes, 1);
        (Count, Height, Width, Seed, MaxShapes) = (count, height, width, seed, maxShapes);
    }

    /// <inheritdoc />
    public int Count { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>The seed the samples derive from.</summary>
    public int Seed { get; }

    /// <summary>Most shapes per image (at least one is drawn).</summary>
    public int MaxShapes { get; }

    /// <inheritdoc />
    public DatasetDescription Description => DatasetDescription.SyntheticShapes;

    /// <inheritdoc />
    public SegmentationSample Get(int index)
    {
        var (image, mask) = Generate(index);
        var imageTensor = TensorData.FromSpan<float>(image, [3, Height, Width]);
        try
        {
            return new SegmentationSample(imageTensor, TensorData.FromSpan<long>(mask, [Height, Width]), $"shapes-{Seed}-{index}");
        }
        catch
        {
            imageTensor.Dispose();
            throw;
        }
    }

    /// <summary>The raw pixels of sample <paramref name="index"/>: a C x H x W float image in [0, 1] and H x W class ids.</summary>
    public (float[] Image, long[] Mask) Generate(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var random = new Random(SeedMixer.ToInt32(SeedMixer.Mix((ulong)Seed, (ulong)index, 0x5eed)));
        int plane = Height * Width;
        var image = new float[3 * plane];
        var mask = new long[plane];
        PaintBackground(random, image);

        int shapes = random.Next(1, MaxShapes + 1);
        int smallest = Math.Min(Height, Width);
        for (int s = 0; s < shapes; s++)
        {
            int cls = random.Next(1, 4);
            double radius = smallest * (0.10 + 0.14 * random.NextDouble());
            double cx = radius + random.NextDouble() * (Width - 2 * radius);
            double cy = radius + random.NextDouble() * (Height - 2 * radius);
            var inside = Shape(cls, cx, cy, radius, random);
            float brightness = 0.75f + 0.25f * (float)random.NextDouble();
            var color = ClassTints[cls].Select(t => Math.Clamp(t * brightness + 0.08f * (float)(random.NextDouble() - 0.5), 0f, 1f)).ToArray();
            int x0 = Math.Max(0, (int)(cx - radius) - 1), x1 = Math.Min(Width - 1, (int)(cx + radius) + 1);
            int y0 = Math.Max(0, (int)(cy - radius) - 1), y1 = Math.Min(Height - 1, (int)(cy + radius) + 1);
            for (int y = y0; y <= y1; y++)
                for (int x = x0; x <= x1; x++)
                {
                    if (!inside(x + 0.5, y + 0.5)) continue;
                    int p = y * Width + x;
                    mask[p] = cls;
                    for (int c = 0; c < 3; c++)
                        image[c * plane + p] = Math.Clamp(color[c] + 0.10f * (float)(random.NextDouble() - 0.5), 0f, 1f);
                }
        }
        return (image, mask);
    }

    // Low-contrast stripes of a random direction and frequency, plus pixel noise, on a dull base colour.
    private void PaintBackground(Random random, float[] image)
    {
        int plane = Height * Width;
        var baseColor = new float[3];
        float gray = 0.30f + 0.25f * (float)random.NextDouble();
        for (int c = 0; c < 3; c++) baseColor[c] = gray + 0.08f * (float)(random.NextDouble() - 0.5);
        double angle = random.NextDouble() * Math.PI;
        double frequency = 2 * Math.PI / (6 + 18 * random.NextDouble());
        double phase = random.NextDouble() * 2 * Math.PI;
        (double fx, double fy) = (Math.Cos(angle) * frequency, Math.Sin(angle) * frequency);
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                float texture = 0.07f * (float)Math.Sin(fx * x + fy * y + phase);
                int p = y * Width + x;
                for (int c = 0; c < 3; c++)
                    image[c * plane + p] = Math.Clamp(baseColor[c] + texture + 0.12f * (float)(random.NextDouble() - 0.5), 0f, 1f);
            }
    }

    private static Func<double, double, bool> Shape(int cls, double cx, double cy, double radius, Random random)
    {
        switch (cls)
        {
            case 1:
                return (x, y) => (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius;
            case 2:
                double halfWidth = radius * (0.55 + 0.45 * random.NextDouble());
                double halfHeight = radius * (0.55 + 0.45 * random.NextDouble());
                return (x, y) => Math.Abs(x - cx) <= halfWidth && Math.Abs(y - cy) <= halfHeight;
            default:
                double theta = random.NextDouble() * 2 * Math.PI;
                var vx = new double[3];
                var vy = new double[3];
                for (int k = 0; k < 3; k++)
                {
                    vx[k] = cx + radius * Math.Cos(theta + 2 * Math.PI * k / 3);
                    vy[k] = cy + radius * Math.Sin(theta + 2 * Math.PI * k / 3);
                }
                return (x, y) =>
                {
                    // Inside when the point is on the same side of all three edges.
                    bool any = false, all = true;
                    for (int k = 0; k < 3; k++)
                    {
                        int n = (k + 1) % 3;
                        double cross = (vx[n] - vx[k]) * (y - vy[k]) - (vy[n] - vy[k]) * (x - vx[k]);
                        any |= cross > 0;
                        all &= cross > 0;
                    }
                    return all || !any;
                };
        }
    }
}
