using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;

namespace MLNet.Segmentation.Inference;

/// <summary>
/// Segments images with a trained network: normalization, whole-image or sliding-window inference, optional
/// horizontal-flip test-time augmentation, softmax probabilities and class ids. The model is put in eval mode once (and
/// in channels-last layout when <see cref="PredictorOptions.MemoryFormat"/> asks for it; by default each batch picks
/// its input layout: <see cref="InferenceLayout"/>);
/// <see cref="Predict"/> never changes module state, so it may be called from several threads at once.
/// </summary>
public sealed class SegmentationPredictor
{
    private readonly Module _model;
    private readonly PredictorOptions _options;
    private readonly Device _device;
    private readonly MemoryFormat? _layout;

    /// <summary>Wraps <paramref name="model"/> (N x C x H x W → N x K x H x W logits).</summary>
    public SegmentationPredictor(Module model, PredictorOptions? options = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _options = options ?? new PredictorOptions();
        _options.SlidingWindow?.Validate();
        if ((_options.Mean is null) != (_options.Std is null)) throw new ArgumentException("give both Mean and Std, or neither");
        if (_options.Mean is not null && _options.Mean.Length != _options.Std!.Length) throw new ArgumentException("Mean and Std need one value per channel");
        if (_options.Std is not null && _options.Std.Any(s => !(s > 0))) throw new ArgumentException("Std values must be > 0");
        _device = _options.Device ?? _model.Parameters().FirstOrDefault()?.Device ?? Device.Cpu;
        _model.To(_device);
        _layout = _options.MemoryFormat;
        if (_layout == MemoryFormat.ChannelsLast) _model.To(MemoryFormat.ChannelsLast);
        _model.Eval();
    }

    /// <summary>
    /// Predicts a batch of N x C x H x W (or one C x H x W) float images with values in [0, 1] (before normalization).
    /// </summary>
    public SegmentationPrediction Predict(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Dim is not (3 or 4)) throw new ArgumentException($"expected C x H x W or N x C x H x W images, got {images.ShapeString}", nameof(images));
        if (!images.DType.IsFloatingPoint()) throw new ArgumentException($"expected float images in [0, 1], got {images.DType}", nameof(images));
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        var batch = images.Dim == 3 ? images.Unsqueeze(0) : images;
        batch = batch.To(_device, DType.Float32);
        if (_options.Mean is not null)
        {
            long channels = batch.Size(1);
            if (channels != _options.Mean.Length)
                throw new ArgumentException($"the images have {channels} channels but the normalization has {_options.Mean.Length}", nameof(images));
            var mean = Tensor.FromSpan<float>(_options.Mean, [1, channels, 1, 1], _device);
            var std = Tensor.FromSpan<float>(_options.Std!, [1, channels, 1, 1], _device);
            batch = (batch - mean) / std;
        }
        Func<Tensor, Tensor> forward = x => Functional.Softmax(_model.Forward(x.InLayout(_layout ?? InferenceLayout.For(x))), 1);
        if (_options.HorizontalFlip) forward = SlidingWindowInference.WithHorizontalFlip(forward);
        var probabilities = _options.SlidingWindow is { } window ? SlidingWindowInference.Run(batch, forward, window) : forward(batch);
        var classIds = probabilities.ArgMax(1);
        var result = new SegmentationPrediction(classIds.To(Device.Cpu).DetachFromDisposeScope(),
            probabilities.To(Device.Cpu).DetachFromDisposeScope());
        return result;
    }
}
