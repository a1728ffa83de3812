namespace MLNet.Segmentation.Metrics;

/// <summary>
/// A streaming K x K confusion matrix (rows = ground truth, columns = prediction) for up to 256 classes, in the
/// cumulative style of MONAI's metrics: update per batch, <see cref="Compute"/> (or <see cref="ComputeMetrics"/>) at
/// the end, <see cref="Reset"/> to start again. This class counts host masks (<see cref="Update(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>,
/// a branch-free histogram) and precomputed counts (<see cref="AddCounts"/>); tensors are counted by the extension
/// <c>ConfusionMatrixTensors.Update(matrix, prediction, target)</c>, where they live (a bincount on their device).
/// Pixels whose target is the ignore id are skipped entirely; any other id outside [0, K) in the target, or in the
/// prediction at a counted pixel, throws an <see cref="ArgumentException"/> naming the id, and the matrix is left unchanged.
/// </summary>
public sealed class ConfusionMatrix : IDisposable
{
    /// <summary>The largest supported number of classes.</summary>
    public const int MaxClasses = 256;

    private readonly long[] _hostCounts;
    private readonly List<long[]> _perImage = new();
    private IDeferredConfusionCounts? _deferred;
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

    /// <summary>
    /// Adds the K x K counts of one image (row-major, rows = ground truth), counted elsewhere; with
    /// <see cref="TrackPerImage"/> they are one entry of <see cref="PerImage"/>.
    /// </summary>
    public void AddCounts(ReadOnlySpan<long> counts)
    {
        if (counts.Length != _hostCounts.Length)
            throw new ArgumentException($"expected {NumClasses}x{NumClasses} = {_hostCounts.Length} counts, got {counts.Length}", nameof(counts));
        foreach (long count in counts)
            if (count < 0) throw new ArgumentException($"counts must be non-negative, got {count}", nameof(counts));
        Add(counts.ToArray());
    }

    /// <summary>
    /// The attached accumulator of counts kept elsewhere, attaching the one <paramref name="create"/> makes on first use
    /// (or after a reset). The matrix adds its counts when read and disposes it on <see cref="Reset"/> and <see cref="Dispose"/>.
    /// </summary>
    public T Deferred<T>(Func<T> create) where T : class, IDeferredConfusionCounts
    {
        ArgumentNullException.ThrowIfNull(create);
        if (_deferred is null) return (T)(_deferred = create() ?? throw new InvalidOperationException("the accumulator factory returned null"));
        return _deferred as T ?? throw new InvalidOperationException($"a {_deferred.GetType().Name} is attached already, not a {typeof(T).Name}");
    }

    /// <summary>The accumulated K x K matrix (rows = ground truth).</summary>
    public long[,] Compute()
    {
        var total = (long[])_hostCounts.Clone();
        if (_deferred is not null)
        {
            var deferred = _deferred.Read();
            if (deferred.Length != total.Length)
                throw new InvalidOperationException($"the attached accumulator returned {deferred.Length} counts, not {total.Length}");
            for (int i = 0; i < total.Length; i++) total[i] += deferred[i];
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
        _deferred?.Dispose();
        _deferred = null;
    }

    /// <summary>Releases the attached accumulator (e.g. device memory).</summary>
    public void Dispose()
    {
        _deferred?.Dispose();
        _deferred = null;
    }

    /// <summary>The error for a class id outside [0, K) in <paramref name="what"/> ("target" or "prediction").</summary>
    internal ArgumentException OutOfRange(string what, long id) => new(
        $"{what} class id {id} is out of range for {NumClasses} classes" +
        (IgnoreIndex is long i ? $" (ignore index {i})" : ""));

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

    private long[,] ToMatrix(long[] flat)
    {
        int k = NumClasses;
        var matrix = new long[k, k];
        for (int t = 0; t < k; t++)
            for (int p = 0; p < k; p++) matrix[t, p] = flat[t * k + p];
        return matrix;
    }
}
