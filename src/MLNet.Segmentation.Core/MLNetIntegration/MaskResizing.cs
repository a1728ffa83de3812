using Microsoft.ML.Transforms.Image;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// Nearest-neighbour resizing of class-id masks with the geometry of ML.NET's <c>ResizeImages</c> (MLImage): the same
/// destination rectangle for Fill, IsoPad and IsoCrop with its anchors, computed in the same single-precision steps, so a
/// mask resized here lines up with its image resized there. Every output id is an input id (or the pad id): nothing blends.
/// </summary>
internal static class MaskResizing
{
    /// <summary>The ids of a <paramref name="source"/> mask resized to <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static long[] Resize(MaskIds source, int width, int height, ImageResizingEstimator.ResizingKind resizing,
        ImageResizingEstimator.Anchor anchor, long padId)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        int sourceWidth = source.Width, sourceHeight = source.Height;
        if (sourceWidth == width && sourceHeight == height) return (long[])source.Ids.Clone();
        var (x0, y0, destWidth, destHeight) = Destination(sourceWidth, sourceHeight, width, height, resizing, anchor);
        // Source column and row of each output column and row: the pixel centre mapped back through the rectangle.
        var columns = Map(width, x0, destWidth, sourceWidth);
        var rows = Map(height, y0, destHeight, sourceHeight);
        var ids = new long[(long)width * height];
        for (int y = 0; y < height; y++)
        {
            int sy = rows[y];
            for (int x = 0; x < width; x++)
            {
                int sx = columns[x];
                ids[(long)y * width + x] = sx < 0 || sy < 0 ? padId : source.Ids[(long)sy * sourceWidth + sx];
            }
        }
        return ids;
    }

    // ML.NET's MLImage.CloneWithResizing: the rectangle the whole source is drawn into (float arithmetic, int truncation).
    internal static (int X, int Y, int Width, int Height) Destination(int sourceWidth, int sourceHeight, int width, int height,
        ImageResizingEstimator.ResizingKind resizing, ImageResizingEstimator.Anchor anchor)
    {
        if (resizing == ImageResizingEstimator.ResizingKind.Fill) return (0, 0, width, height);
        float widthAspect = (float)width / sourceWidth;
        float heightAspect = (float)height / sourceHeight;
        int x = 0, y = 0;
        float aspect;
        if (resizing == ImageResizingEstimator.ResizingKind.IsoPad)
        {
            if (heightAspect < widthAspect)
            {
                aspect = heightAspect;
                x = (int)((width - sourceWidth * aspect) / 2);
            }
            else
            {
                aspect = widthAspect;
                y = (int)((height - sourceHeight * aspect) / 2);
            }
        }
        else if (resizing == ImageResizingEstimator.ResizingKind.IsoCrop)
        {
            if (heightAspect < widthAspect)
            {
                aspect = widthAspect;
                y = anchor switch
                {
                    ImageResizingEstimator.Anchor.Top => 0,
                    ImageResizingEstimator.Anchor.Bottom => (int)(height - sourceHeight * aspect),
                    _ => (int)((height - sourceHeight * aspect) / 2),
                };
            }
            else
            {
                aspect = heightAspect;
                x = anchor switch
                {
                    ImageResizingEstimator.Anchor.Left => 0,
                    ImageResizingEstimator.Anchor.Right => (int)(width - sourceWidth * aspect),
                    _ => (int)((width - sourceWidth * aspect) / 2),
                };
            }
        }
        else throw new ArgumentOutOfRangeException(nameof(resizing), resizing, "unknown resizing kind");
        return (x, y, (int)(sourceWidth * aspect), (int)(sourceHeight * aspect));
    }

    // For each of `count` output positions, the nearest source index, or -1 outside the drawn rectangle (padding). The
    // pixel centre i + 1/2 maps to (2 (i - offset) + 1) sourceExtent / (2 extent), in exact integers; a centre falling exactly
    // on a source pixel boundary takes the pixel before it, as Skia's nearest sampling (ResizeImages' Fill) does.
    private static int[] Map(int count, int offset, int extent, int sourceExtent)
    {
        var map = new int[count];
        long denominator = 2L * extent;
        for (int i = 0; i < count; i++)
        {
            long numerator = (2L * (i - offset) + 1) * sourceExtent;
            if (numerator < 0)
            {
                map[i] = -1;
                continue;
            }
            long s = numerator / denominator;
            if (numerator % denominator == 0) s--;
            map[i] = s >= sourceExtent ? -1 : (int)s;
        }
        return map;
    }
}
