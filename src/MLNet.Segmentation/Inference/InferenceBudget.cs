using System.Globalization;

namespace MLNet.Segmentation.Inference;

/// <summary>
/// The memory a prediction will take, estimated from the batch's shape before anything is allocated, and its check
/// against <see cref="PredictorOptions.MaxPixels"/> and <see cref="PredictorOptions.MaxBytes"/>.
/// </summary>
internal sealed record InferenceBudget(long Batch, long Channels, long Height, long Width, long Classes,
    SlidingWindowOptions? Window, bool Flip, bool OffCpu)
{
    /// <summary>The image size the network's tiles cover (the image, or the image padded up to the tile).</summary>
    internal (long Height, long Width) PaddedSize => Window is null
        ? (Height, Width)
        : (Math.Max(Height, SlidingWindowInference.EffectiveTile(Height, Window.TileSize.Height)),
           Math.Max(Width, SlidingWindowInference.EffectiveTile(Width, Window.TileSize.Width)));

    /// <summary>Pixels one forward pass of the network sees.</summary>
    internal double NetworkPixels
    {
        get
        {
            if (Window is null) return (double)Batch * Height * Width;
            long tileH = SlidingWindowInference.EffectiveTile(Height, Window.TileSize.Height);
            long tileW = SlidingWindowInference.EffectiveTile(Width, Window.TileSize.Width);
            var (fullH, fullW) = PaddedSize;
            double tiles = (double)SlidingWindowInference.TileCount(fullH, tileH, Window.Overlap)
                * SlidingWindowInference.TileCount(fullW, tileW, Window.Overlap);
            return Math.Min(Window.TilesPerBatch, tiles) * Batch * tileH * tileW;
        }
    }

    /// <summary>Estimated bytes of the predictor's tensors (float32 values, int64 class ids).</summary>
    internal double Bytes
    {
        get
        {
            double p = (double)Batch * Height * Width;
            var (fullH, fullW) = PaddedSize;
            double padded = (double)Batch * fullH * fullW;
            double t = NetworkPixels, c = Channels, k = Classes, flip = Flip ? 1 : 0;
            double bytes = 4 * c * (2 * p + (padded > p ? padded : 0));       // float copy, normalized, padded input
            bytes += 4 * c * t * flip;                                           // the flipped input of a forward pass
            bytes += 4 * k * t * (2 + 3 * flip);                                 // logits, probabilities (and the flipped pass)
            if (Window is not null) bytes += 4 * k * (2 * padded + p) + 4.0 * fullH * fullW; // sums, blend, crop, weights
            bytes += 8 * p;                                                      // class ids
            if (OffCpu) bytes += 4 * k * p + 8 * p;                              // the copies returned on the CPU
            return bytes;
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> (one line, naming the option) when the prediction exceeds the options' limits.</summary>
    internal void Check(PredictorOptions options)
    {
        string shape = string.Create(CultureInfo.InvariantCulture, $"{Batch} x {Channels} x {Height} x {Width}");
        double pixels = NetworkPixels;
        if (pixels > options.MaxPixels)
        {
            string how = Window is null
                ? "use sliding-window inference (a tile size), a smaller batch or a larger MaxPixels"
                : "use a smaller tile, fewer tiles per batch, a smaller batch or a larger MaxPixels";
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"PredictorOptions.MaxPixels: a {shape} batch sends {pixels:0} pixels through the network at once, more than the limit of {options.MaxPixels}; {how}"));
        }
        double bytes = Bytes;
        if (bytes > options.MaxBytes)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"PredictorOptions.MaxBytes: predicting a {shape} batch with {Classes} classes needs about {bytes / (1 << 20):0} MiB of tensors, more than the limit of {options.MaxBytes / (1 << 20)} MiB; use a smaller batch or image, or a larger MaxBytes"));
    }
}
