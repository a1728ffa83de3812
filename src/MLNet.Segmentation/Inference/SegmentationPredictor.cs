using MLNet.Segmentation.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Inference;

/// <summary>
/// Segments images with a trained network: normalization, whole-image or sliding-window inference, optional
/// horizontal-flip test-time augmentation, softmax probabilities and class ids. The model is moved to the predictor's
/// device and put in eval mode once; <see cref="Predict"/> never changes module state, so it may be called from several
/// threads at once. Each prediction is first checked against the memory budget of the options
/// (<see cref="PredictorOptions.MaxPixels"/>, <see cref="PredictorOptions.MaxBytes"/>), and the network's logits must be
/// finite: broken weights or inputs give an error, never masks.
/// </summary>
public sealed class SegmentationPredictor : IImageSegmenter
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly PredictorOptions _options;
    private readonly Device _device;

    /// <summary>Wraps <paramref name="model"/> (N x C x H x W → N x K x H x W logits).</summary>
    public SegmentationPredictor(nn.Module<Tensor, Tensor> model, PredictorOptions? options = null)
    {
        TorchRuntime.EnsureInitialized();
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _options = options ?? new PredictorOptions();
        _options.SlidingWindow?.Validate();
        if ((_options.Mean is null) != (_options.Std is null)) throw new ArgumentException("give both Mean and Std, or neither");
        if (_options.Mean is not null && _options.Mean.Length != _options.Std!.Length) throw new ArgumentException("Mean and Std need one value per channel");
        if (_options.Std is not null && _options.Std.Any(s => !(s > 0) || !float.IsFinite(s))) throw new ArgumentException("Std values must be finite and > 0");
        if (_options.Mean is not null && _options.Mean.Any(m => !float.IsFinite(m))) throw new ArgumentException("Mean values must be finite");
        if (_options.MaxPixels < 1) throw new ArgumentException($"PredictorOptions.MaxPixels must be positive, got {_options.MaxPixels}");
        if (_options.MaxBytes < 1) throw new ArgumentException($"PredictorOptions.MaxBytes must be positive, got {_options.MaxBytes}");
        _device = _options.Device ?? _model.parameters().FirstOrDefault()?.device ?? CPU;
        if (_options.AutocastDType is { } autocast && !Autocast.Supports(_device.type, autocast))
            throw new ArgumentException($"AutocastDType {autocast} is not supported on {_device}: use BFloat16 (CPU or CUDA), Float16 (CUDA) or null");
        ModuleDevice.MoveTo(_model, _device);
        _model.eval();
        if (_options.FoldBatchNorm) Nn.BatchNormFusion.FoldInPlace(_model);
    }

    /// <summary>The device inference runs on.</summary>
    public Device Device => _device;

    /// <summary>Softmax probabilities (float32) of the network for a normalized batch, in the predictor's precision.</summary>
    private Tensor RunNetwork(Tensor batch)
    {
        using var scope = NewDisposeScope();
        using var autocast = _options.AutocastDType is { } dtype ? Autocast.Enable(_device, dtype) : (IDisposable?)null;
        var logits = _model.call(batch);
        if (!logits.isfinite().all().item<bool>())
        {
            long bad = logits.numel() - logits.isfinite().sum().item<long>();
            throw new InvalidOperationException(
                $"the network's logits have {bad} non-finite values (NaN or infinity) of {logits.numel()}: its weights or the input are broken");
        }
        return nn.functional.softmax(logits.to_type(ScalarType.Float32), 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Predicts a batch of N x C x H x W (or one C x H x W) float images with values in [0, 1] (before normalization).
    /// Throws <see cref="ArgumentException"/> for a batch over the options' memory budget (before allocating anything) and
    /// <see cref="InvalidOperationException"/> when the network's logits are not all finite.
    /// </summary>
    public SegmentationPrediction Predict(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() is not (3 or 4)) throw new ArgumentException($"expected C x H x W or N x C x H x W images, got {TensorData.ShapeOf(images)}", nameof(images));
        if (!images.is_floating_point()) throw new ArgumentException($"expected float images in [0, 1], got {images.dtype}", nameof(images));
        long[] shape = images.dim() == 3 ? [1, .. images.shape] : images.shape;
        if (shape.Any(s => s == 0)) throw new ArgumentException($"expected non-empty images, got {TensorData.ShapeOf(images)}", nameof(images));
        var budget = new InferenceBudget(shape[0], shape[1], shape[2], shape[3], (_model as Models.SegmentationModel)?.NumClasses ?? 1,
            _options.SlidingWindow, _options.HorizontalFlip, _device.type != DeviceType.CPU);
        budget.Check(_options);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var batch = images.dim() == 3 ? images.unsqueeze(0) : images;
        batch = batch.to(ScalarType.Float32, _device);
        if (_options.Mean is not null)
        {
            long channels = batch.size(1);
            if (channels != _options.Mean.Length)
                throw new ArgumentException($"the images have {channels} channels but the normalization has {_options.Mean.Length}", nameof(images));
            var mean = TensorData.FromSpan<float>(_options.Mean, [1, channels, 1, 1], _device);
            var std = TensorData.FromSpan<float>(_options.Std!, [1, channels, 1, 1], _device);
            batch = (batch - mean) / std;
        }
        Func<Tensor, Tensor> forward = RunNetwork;
        if (_options.HorizontalFlip) forward = SlidingWindowInference.WithHorizontalFlip(forward);
        var probabilities = _options.SlidingWindow is { } window
            ? SlidingWindowInference.Run(batch, forward, window, classes => (budget with { Classes = classes }).Check(_options))
            : forward(batch);
        var classIds = probabilities.argmax(1);
        return new SegmentationPrediction(classIds.cpu().DetachFromDisposeScope(), probabilities.cpu().DetachFromDisposeScope());
    }

    /// <inheritdoc />
    public ImageSegmentation Segment(float[] pixels, int channels, int height, int width, bool withProbabilities = false)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (channels < 1 || height < 1 || width < 1 || (long)channels * height * width != pixels.LongLength)
            throw new ArgumentException($"{pixels.LongLength} pixel values do not make a {channels} x {height} x {width} image", nameof(pixels));
        using var scope = NewDisposeScope();
        using var prediction = Predict(TensorData.FromSpan<float>(pixels, [channels, height, width]));
        long classes = prediction.Probabilities.size(1);
        if (classes > ModelFiles.ModelManifest.MaxClasses)
            throw new InvalidOperationException($"the network predicts {classes} classes; class-id masks hold at most {ModelFiles.ModelManifest.MaxClasses}");
        var ids = TensorData.ToArray<byte>(prediction.ClassIds.select(0, 0).to_type(ScalarType.Byte));
        var probabilities = withProbabilities ? TensorData.ToArray<float>(prediction.Probabilities.select(0, 0)) : null;
        return new ImageSegmentation(ids, height, width, (int)classes, probabilities);
    }
}
