using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Metrics;

/// <summary>
/// A streaming K x K confusion matrix (rows = ground truth, columns = prediction) for up to 256 classes:
/// <see cref="Update(Tensor, Tensor)"/> per batch, <see cref="Compute"/> (or <see cref="ComputeMetrics"/>) at the end,
/// <see cref="Reset"/> to start again. Tensors are counted where they live: CUDA (and non-uint8 CPU) tensors with a bincount of
/// target * K + prediction on the device; CPU uint8 masks with a branch-free histogram on the host. Pixels whose
/// target is the ignore id are skipped entirely; any other id outside [0, K) in the target, or in the prediction at a
/// counted pixel, throws an <see cref="ArgumentException"/> naming the id, and the matrix is left unchanged.
/// </summary>
public sealed class ConfusionMatrix : IDisposable
{
    /// <summary>The largest supported number of classes.</summary>
    public const int MaxClasses = 256;

    private readonly long[] _hostCounts;
    private readonly List<long[]> _perImage = new();
    private Tensor? _deviceCounts;
    private int[]? _histogram;

    /// <summary>A matrix for <paramref name="numClasses"/> classes, an optional ignored target id and optional per-image matrices.</summary>
    public ConfusionMatrix(int numClasses, long? ignoreIndex = null, bool trackPerImage = false)
    {
        if (numClasses < 1 || numClasses > MaxClasses)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, $"the number of classes must be between 1 and {MaxClasses}");
        if (ignoreIndex is >= 0 and long i && i < numClasses)
            throw new ArgumentException($"ignore index {i} is a valid class id for {numClasses} classes", nameof(ignoreIndex));
        NumClasses = numClasses;
        IgnoreIndex = ignoreIndex;
        TrackPerImage = trackPerImage;
        _hostCounts = new long[numClasses * numClasses];
    }

    /// <summary>The number of classes K.</summary>
    public int NumClasses { get; }

    /// <summary>The target id that is not counted, or null.</summary>
    public long? IgnoreIndex { get; }

    /// <summary>Whether a matrix per image is kept as well (see <see cref="PerImage"/>).</summary>
    public bool TrackPerImage { get; }

    /// <summary>One K x K matrix per image seen since the last reset (empty unless <see cref="TrackPerImage"/>).</summary>
    public IReadOnlyList<long[,]> PerImage => _perImage.Select(ToMatrix).ToArray();

    /// <summary>
    /// Adds a batch: <paramref name="prediction"/> and <paramref name="target"/> hold integer class ids, have the
    /// same shape (H x W for one image, N x H x W for N images) and live on the same device.
    /// </summary>
    public void Update(Tensor prediction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (!prediction.ShapeRef.AsSpan().SequenceEqual(target.ShapeRef))
            throw new ArgumentException($"prediction {prediction.ShapeString} and target {target.ShapeString} must have the same shape");
        if (prediction.DType.IsFloatingPoint() || target.DType.IsFloatingPoint() || prediction.DType == DType.Bool)
            throw new ArgumentException($"prediction and target must hold integer class ids, got {prediction.DType} and {target.DType} (take ArgMax over the class dimension first)");
        if (target.Dim is not (2 or 3)) throw new ArgumentException($"masks must be H x W or N x H x W, got {target.ShapeString}", nameof(target));
        long images = target.Dim == 3 ? target.Size(0) : 1;

        if (prediction.Device.IsCpu && target.Device.IsCpu && prediction.DType == DType.UInt8 && target.DType == DType.UInt8)
        {
            var p = prediction.ToArray<byte>();
            var t = target.ToArray<byte>();
            int perImage = (int)(t.Length / Math.Max(images, 1));
            if (!TrackPerImage || images <= 1) Update(p, t);
            else
                for (int n = 0; n < images; n++)
                    Update(p.AsSpan(n * perImage, perImage), t.AsSpan(n * perImage, perImage));
            return;
        }
        UpdateOnDevice(prediction, target, images);
    }

    /// <summary>Adds one image given as host masks of class ids (same length).</summary>
    public void Update(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> target)
    {
        if (prediction.Length != target.Length)
            throw new ArgumentException($"prediction has {prediction.Length} pixels but target has {target.Length}");
        var histogram = _histogram ??= new int[256 * 256];
        var counts = new long[NumClasses * NumClasses];
        // int bins cannot overflow within one chunk.
        const int chunk = 1 << 30;
        for (int start = 0; start < target.Length; start += chunk)
        {
            int length = Math.Min(chunk, target.Length - start);
            Array.Clear(histogram);
            HostHistogram.Accumulate(prediction.Slice(start, length), target.Slice(start, length), histogram);
            FoldHistogram(histogram, counts);
        }
        Add(counts);
    }

    /// <summary>The accumulated K x K matrix (rows = ground truth).</summary>
    public long[,] Compute()
    {
        var total = (long[])_hostCounts.Clone();
        if (_deviceCounts is not null)
        {
            using var host = _deviceCounts.To(Device.Cpu);
            var device = host.ToArray<long>();
            for (int i = 0; i < total.Length; i++) total[i] += device[i];
        }
        return ToMatrix(total);
    }

    /// <summary>All derived metrics of the accumulated matrix.</summary>
    public SegmentationMetrics ComputeMetrics() => new(Compute());

    /// <summary>
    /// Per-image reduction: the mean over images of each image's own mean IoU (images with no counted pixel are
    /// skipped; NaN when none). Needs <see cref="TrackPerImage"/>.
    /// </summary>
    public double PerImageMeanIoU() => PerImageMean(ConfusionMatrixMetrics.MeanIoU);

    /// <summary>Per-image reduction of the mean Dice (as <see cref="PerImageMeanIoU"/>).</summary>
    public double PerImageMeanDice() => PerImageMean(ConfusionMatrixMetrics.MeanDice);

    /// <summary>Forgets everything counted so far.</summary>
    public void Reset()
    {
        Array.Clear(_hostCounts);
        _perImage.Clear();
        _deviceCounts?.Dispose();
        _deviceCounts = null;
    }

    /// <summary>Releases the device accumulator.</summary>
    public void Dispose()
    {
        _deviceCounts?.Dispose();
        _deviceCounts = null;
    }

    private double PerImageMean(Func<long[,], double> metric)
    {
        if (!TrackPerImage) throw new InvalidOperationException("per-image reductions need a ConfusionMatrix created with trackPerImage: true");
        return ConfusionMatrixMetrics.NanMean(_perImage.Select(c => metric(ToMatrix(c))));
    }

    private void Add(long[] counts)
    {
        for (int i = 0; i < counts.Length; i++) _hostCounts[i] += counts[i];
        if (TrackPerImage) _perImage.Add(counts);
    }

    // Validates the 256 x 256 byte-pair histogram and folds it into K x K counts (ignored target rows dropped).
    private void FoldHistogram(int[] histogram, long[] counts)
    {
        int k = NumClasses;
        for (int t = 0; t < 256; t++)
        {
            bool ignored = IgnoreIndex == t;
            for (int p = 0; p < 256; p++)
            {
                int count = histogram[(t << 8) | p];
                if (count == 0 || ignored) continue;
                if (t >= k) throw OutOfRange("target", t);
                if (p >= k) throw OutOfRange("prediction", p);
                counts[t * k + p] += count;
            }
        }
    }

    private void UpdateOnDevice(Tensor prediction, Tensor target, long images)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        long k = NumClasses, bins = k * k;
        var t = target.Reshape(images, -1).To(DType.Int64);
        var p = prediction.Reshape(images, -1).To(DType.Int64);
        var ignored = IgnoreIndex is long ignore ? t.Eq(ignore) : t.ZerosLike().To(DType.Bool);
        var tChecked = t.MaskedFill(ignored, 0);
        var pChecked = p.MaskedFill(ignored, 0);
        CheckRange(tChecked, "target");
        CheckRange(pChecked, "prediction");

        // Ignored pixels go to an extra bin per image that is dropped afterwards.
        var index = (tChecked * k + pChecked).MaskedFill(ignored, bins);
        if (TrackPerImage) index = index + Tensor.Arange(images, target.Device).Unsqueeze(1) * (bins + 1);
        var counts = Functional.BinCount(index.Reshape(-1), minLength: (TrackPerImage ? images : 1) * (bins + 1))
            .Reshape(-1, bins + 1).Narrow(1, 0, bins);
        if (TrackPerImage)
        {
            var host = counts.To(Device.Cpu).ToArray<long>();
            for (long n = 0; n < images; n++) _perImage.Add(host.AsSpan((int)(n * bins), (int)bins).ToArray());
        }
        var batch = counts.Sum(0);
        if (_deviceCounts is null) _deviceCounts = batch.Clone().DetachFromDisposeScope();
        else _deviceCounts.AddInPlace(batch);
    }

    private void CheckRange(Tensor ids, string what)
    {
        if (ids.NumberOfElements == 0) return;
        long max = ids.Max().ToInt64();
        if (max >= NumClasses) throw OutOfRange(what, max);
        long min = ids.Min().ToInt64();
        if (min < 0) throw OutOfRange(what, min);
    }

    private ArgumentException OutOfRange(string what, long id) => new(
        $"{what} class id {id} is out of range for {NumClasses} classes" +
        (IgnoreIndex is long i ? $" (ignore index {i})" : ""));

    private long[,] ToMatrix(long[] flat)
    {
        int k = NumClasses;
        var matrix = new long[k, k];
        for (int t = 0; t < k; t++)
            for (int p = 0; p < k; p++) matrix[t, p] = flat[t * k + p];
        return matrix;
    }
}
