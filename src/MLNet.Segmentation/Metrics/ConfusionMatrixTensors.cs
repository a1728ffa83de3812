using MLNet.Segmentation.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Metrics;

/// <summary>
/// Tensor input of <see cref="ConfusionMatrix"/>, the one place of the metrics that uses TorchSharp. Tensors are counted
/// where they live: CPU uint8 masks with the matrix's host histogram; any other integer tensors (CUDA, or int64 on the
/// CPU) with a bincount of target * K + prediction on their device, accumulated there (one K x K tensor, read back when
/// the matrix is computed) unless per-image matrices are tracked.
/// </summary>
public static class ConfusionMatrixTensors
{
    /// <summary>
    /// Adds a batch: <paramref name="prediction"/> and <paramref name="target"/> hold integer class ids, have the
    /// same shape (H x W for one image, N x H x W for N images) and live on the same device.
    /// </summary>
    public static void Update(this ConfusionMatrix matrix, Tensor prediction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (!prediction.shape.AsSpan().SequenceEqual(target.shape))
            throw new ArgumentException($"prediction {TensorData.ShapeOf(prediction)} and target {TensorData.ShapeOf(target)} must have the same shape");
        if (prediction.is_floating_point() || target.is_floating_point() || prediction.dtype == ScalarType.Bool)
            throw new ArgumentException($"prediction and target must hold integer class ids, got {prediction.dtype} and {target.dtype} (take argmax over the class dimension first)");
        if (target.dim() is not (2 or 3)) throw new ArgumentException($"masks must be H x W or N x H x W, got {TensorData.ShapeOf(target)}", nameof(target));
        long images = target.dim() == 3 ? target.size(0) : 1;

        if (prediction.device_type == DeviceType.CPU && target.device_type == DeviceType.CPU
            && prediction.dtype == ScalarType.Byte && target.dtype == ScalarType.Byte)
        {
            var p = TensorData.ToArray<byte>(prediction);
            var t = TensorData.ToArray<byte>(target);
            int perImage = (int)(t.Length / Math.Max(images, 1));
            if (!matrix.TrackPerImage || images <= 1) matrix.Update(p, t);
            else
                for (int n = 0; n < images; n++)
                    matrix.Update(p.AsSpan(n * perImage, perImage), t.AsSpan(n * perImage, perImage));
            return;
        }
        UpdateOnDevice(matrix, prediction, target, images);
    }

    private static void UpdateOnDevice(ConfusionMatrix matrix, Tensor prediction, Tensor target, long images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long k = matrix.NumClasses, bins = k * k;
        var t = target.reshape(images, -1).to_type(ScalarType.Int64);
        var p = prediction.reshape(images, -1).to_type(ScalarType.Int64);
        var ignored = matrix.IgnoreIndex is long ignore ? t.EqualTo(ignore) : t.zeros_like(ScalarType.Bool);
        var tChecked = t.MaskedFill(ignored, 0L);
        var pChecked = p.MaskedFill(ignored, 0L);
        CheckRange(matrix, tChecked, "target");
        CheckRange(matrix, pChecked, "prediction");

        // Ignored pixels go to an extra bin per image that is dropped afterwards.
        var index = tChecked.Times(k).Plus(pChecked).MaskedFill(ignored, bins);
        if (matrix.TrackPerImage)
        {
            using var imageCount = images.ToScalar();
            index = index.Plus(arange(OwnedScalars.Zero, imageCount, OwnedScalars.One, ScalarType.Int64, target.device).unsqueeze(1).Times(bins + 1));
            var perImage = bincount(index.reshape(-1), minlength: images * (bins + 1)).reshape(images, bins + 1).narrow(1, 0, bins);
            var host = TensorData.ToArray<long>(perImage);
            for (long n = 0; n < images; n++) matrix.AddCounts(host.AsSpan((int)(n * bins), (int)bins));
            return;
        }
        var batch = bincount(index.reshape(-1), minlength: bins + 1).narrow(0, 0, bins);
        matrix.Deferred(() => new DeviceCounts(bins)).Add(batch);
    }

    private static void CheckRange(ConfusionMatrix matrix, Tensor ids, string what)
    {
        if (ids.numel() == 0) return;
        long max = ids.max().item<long>();
        if (max >= matrix.NumClasses) throw matrix.OutOfRange(what, max);
        long min = ids.min().item<long>();
        if (min < 0) throw matrix.OutOfRange(what, min);
    }

    // The K x K counts of the batches counted on a device, kept there (on the first batch's device) until the matrix is read.
    private sealed class DeviceCounts(long bins) : IDeferredConfusionCounts
    {
        private Tensor? _counts;

        internal void Add(Tensor batch)
        {
            if (_counts is null) _counts = batch.clone().DetachFromDisposeScope();
            else _counts.PlusInPlace(batch.to(_counts.device));
        }

        public long[] Read() => _counts is null ? new long[bins] : TensorData.ToArray<long>(_counts);

        public void Dispose()
        {
            _counts?.Dispose();
            _counts = null;
        }
    }
}
