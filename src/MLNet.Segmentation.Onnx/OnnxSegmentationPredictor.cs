using MLNet.Segmentation.Inference;
using MLNet.Segmentation.ModelFiles;

namespace MLNet.Segmentation.Onnx;

/// <summary>
/// Segments images with an exported network on ONNX Runtime, as the TorchSharp <c>SegmentationPredictor</c> does with the
/// model file: normalization (inside the graph), whole-image or sliding-window inference with the same tiles and
/// blending (<see cref="TileGrid"/>), optional horizontal-flip test-time augmentation, softmax probabilities and class
/// ids. Needs neither TorchSharp nor libtorch. Thread-safe: <see cref="Segment"/> keeps no state between calls.
/// </summary>
public sealed class OnnxSegmentationPredictor : IImageSegmenter, IDisposable
{
    private readonly OnnxSegmentationModel _model;
    private readonly OnnxPredictorOptions _options;
    private readonly bool _ownsModel;

    /// <summary>Opens the ONNX file at <paramref name="path"/> (see <see cref="OnnxSegmentationModel.Open"/>).</summary>
    public OnnxSegmentationPredictor(string path, OnnxPredictorOptions? options = null)
        : this(OnnxSegmentationModel.Open(path, options?.IntraOpThreads), options, ownsModel: true)
    {
    }

    /// <summary>Wraps an open model (not disposed with the predictor).</summary>
    public OnnxSegmentationPredictor(OnnxSegmentationModel model, OnnxPredictorOptions? options = null) : this(model, options, ownsModel: false)
    {
    }

    private OnnxSegmentationPredictor(OnnxSegmentationModel model, OnnxPredictorOptions? options, bool ownsModel)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _ownsModel = ownsModel;
        try
        {
            _options = options ?? new OnnxPredictorOptions();
            _options.Validate();
            if (_options.SlidingWindow is { } window && model.FixedHeight is int fh && model.FixedWidth is int fw
                && (window.TileSize.Height != fh || window.TileSize.Width != fw))
                throw new ArgumentException(
                    $"ONNX model '{model.Path}' was exported for {fw}x{fh} inputs: use tiles of {fh} (or export with --dynamic-size), not {window.TileSize.Width}x{window.TileSize.Height}");
        }
        catch
        {
            if (ownsModel) model.Dispose();
            throw;
        }
    }

    /// <summary>The exported network's manifest (classes, colours, ignore id, normalization).</summary>
    public ModelManifest Manifest => _model.Manifest;

    /// <inheritdoc />
    public ImageSegmentation Segment(float[] pixels, int channels, int height, int width, bool withProbabilities = false)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (channels != Manifest.InChannels)
            throw new ArgumentException($"the image has {channels} channels but the model takes {Manifest.InChannels}", nameof(pixels));
        if (height < 1 || width < 1 || (long)channels * height * width != pixels.LongLength)
            throw new ArgumentException($"{pixels.LongLength} pixel values do not make a {channels} x {height} x {width} image", nameof(pixels));
        int k = Manifest.NumClasses;
        var window = _options.SlidingWindow;
        bool fixedSize = _model.FixedHeight is not null && _model.FixedWidth is not null;
        if (fixedSize && window is null && (height != _model.FixedHeight || width != _model.FixedWidth))
            window = new SlidingWindowOptions { TileSize = (_model.FixedHeight!.Value, _model.FixedWidth!.Value) };
        float[] probabilities = window is null ? WholeImage(pixels, height, width) : Tiled(pixels, height, width, window, fixedSize);
        var ids = HostPlanes.ArgMaxClasses(probabilities, 0, k, height * width);
        return new ImageSegmentation(ids, height, width, k, withProbabilities ? probabilities : null);
    }

    /// <summary>Closes the session when the predictor opened it.</summary>
    public void Dispose()
    {
        if (_ownsModel) _model.Dispose();
    }

    private float[] WholeImage(float[] pixels, int height, int width)
    {
        CheckBudget(pixels: (long)height * width, bytes: 4L * height * width * (Manifest.InChannels + 3L * Manifest.NumClasses));
        return Probabilities(pixels, 1, height, width);
    }

    private float[] Tiled(float[] pixels, int height, int width, SlidingWindowOptions window, bool fixedSize)
    {
        int k = Manifest.NumClasses, c = Manifest.InChannels;
        int tileH = (int)(fixedSize ? _model.FixedHeight!.Value : TileGrid.EffectiveTile(height, window.TileSize.Height));
        int tileW = (int)(fixedSize ? _model.FixedWidth!.Value : TileGrid.EffectiveTile(width, window.TileSize.Width));
        int padH = Math.Max(0, tileH - height), padW = Math.Max(0, tileW - width);
        int fullH = height + padH, fullW = width + padW;
        var tiles = (from y in TileGrid.Starts(fullH, tileH, window.Overlap) from x in TileGrid.Starts(fullW, tileW, window.Overlap) select ((int)y, (int)x)).ToArray();
        int group = Math.Min(window.TilesPerBatch, tiles.Length);
        long tilePixels = (long)tileH * tileW;
        CheckBudget(pixels: group * tilePixels,
            bytes: 4L * ((long)fullH * fullW * (c + k + 1) + group * tilePixels * (c + 3L * k) + (long)k * height * width));

        var input = padH > 0 || padW > 0 ? HostPlanes.PadBottomRight(pixels, 1, c, height, width, padH, padW) : pixels;
        var weights = TileGrid.Weights(tileH, tileW, window);
        var sum = new float[(long)k * fullH * fullW];
        var weightSum = new float[(long)fullH * fullW];
        for (int first = 0; first < tiles.Length; first += group)
        {
            var members = tiles.Skip(first).Take(group).ToArray();
            var batch = new float[members.Length * c * tilePixels];
            for (int t = 0; t < members.Length; t++)
                HostPlanes.CopyWindow(input, c, fullH, fullW, members[t].Item1, members[t].Item2, tileH, tileW, batch, t * c * tilePixels);
            var output = Probabilities(batch, members.Length, tileH, tileW);
            for (int t = 0; t < members.Length; t++)
            {
                var (top, left) = members[t];
                for (int y = 0; y < tileH; y++)
                    for (int x = 0; x < tileW; x++)
                    {
                        float weight = weights[y * tileW + x];
                        long pixel = (long)(top + y) * fullW + left + x;
                        weightSum[pixel] += weight;
                        for (int cls = 0; cls < k; cls++)
                            sum[(long)cls * fullH * fullW + pixel] += output[((long)t * k + cls) * tilePixels + y * tileW + x] * weight;
                    }
            }
        }
        var blended = new float[(long)k * height * width];
        for (int cls = 0; cls < k; cls++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    long pixel = (long)y * fullW + x;
                    blended[((long)cls * height + y) * width + x] = sum[(long)cls * fullH * fullW + pixel] / weightSum[pixel];
                }
        return blended;
    }

    // Softmax probabilities of a batch, averaged with the flipped batch's when TTA is on.
    private float[] Probabilities(float[] batch, int n, int height, int width)
    {
        int k = Manifest.NumClasses, plane = height * width;
        var direct = _model.RunLogits(batch, n, height, width);
        HostPlanes.SoftmaxClasses(direct, n, k, plane);
        if (!_options.HorizontalFlip) return direct;
        var flipped = _model.RunLogits(HostPlanes.FlipWidth(batch, width), n, height, width);
        HostPlanes.SoftmaxClasses(flipped, n, k, plane);
        var back = HostPlanes.FlipWidth(flipped, width);
        for (long i = 0; i < direct.LongLength; i++) direct[i] = (direct[i] + back[i]) * 0.5f;
        return direct;
    }

    private void CheckBudget(long pixels, long bytes)
    {
        if (pixels > _options.MaxPixels)
            throw new ArgumentException(
                $"one run of the network would see {pixels} pixels, over OnnxPredictorOptions.MaxPixels ({_options.MaxPixels}): use a sliding window with smaller tiles or raise the limit");
        if (bytes > _options.MaxBytes)
            throw new ArgumentException(
                $"the prediction needs about {bytes / (1 << 20)} MiB of buffers, over OnnxPredictorOptions.MaxBytes ({_options.MaxBytes / (1 << 20)} MiB): use a smaller image or raise the limit");
    }
}
