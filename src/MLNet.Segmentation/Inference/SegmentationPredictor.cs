using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;

namespace MLNet.Segmentation.Inference;

/// <summary>
/// Segments images with a trained network: normalization, whole-image or sliding-window inference, optional
/// horizontal-flip test-time augmentation, softmax probabilities and class ids. The model is put in eval mode once (and
/// in channels-last layout when <see cref="PredictorOptions.MemoryFormat"/> asks for it; by default each batch picks
/// its input layout: <see cref="InferenceLayout"/>);
/// <see cref="Predict"/> never changes module state, so it may be called from several threads at once (with
/// <see cref="PredictorOptions.CudaGraphs"/>, the network runs are serialized). Dispose it to free the CUDA graphs.
/// </summary>
public sealed class SegmentationPredictor : IDisposable
{
    private readonly Module _model;
    private readonly PredictorOptions _options;
    private readonly Device _device;
    private readonly MemoryFormat? _layout;
    private readonly CudaGraphForward? _graphs;

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
        if (_options.AutocastDType is { } autocast && !Autocast.Supports(_device.Type, autocast))
            throw new ArgumentException($"AutocastDType {autocast} is not supported on {_device}: use BFloat16 (CPU or CUDA), Float16 (CUDA) or null");
        if (_options.CudaGraphs && _device.Type != DeviceType.Cuda)
            throw new ArgumentException($"CudaGraphs needs a CUDA device; this predictor runs on {_device}");
        _model.To(_device);
        _layout = _options.MemoryFormat;
        if (_layout == MemoryFormat.ChannelsLast) _model.To(MemoryFormat.ChannelsLast);
        _model.Eval();
        if (_options.CudaGraphs) _graphs = new CudaGraphForward(RunNetwork, _device);
    }

    /// <summary>Frees the CUDA graphs (if any); the model is the caller's.</summary>
    public void Dispose() => _graphs?.Dispose();

    /// <summary>Softmax probabilities (float32) of the network for a normalized batch, in the predictor's layout and precision.</summary>
    private Tensor RunNetwork(Tensor batch)
    {
        using var autocast = _options.AutocastDType is { } dtype ? Autocast.Enable(_device, dtype) : (IDisposable?)null;
        var logits = _model.Forward(batch.InLayout(_layout ?? InferenceLayout.For(batch)));
        return Functional.Softmax(logits.To(DType.Float32), 1);
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
        Func<Tensor, Tensor> forward = _graphs is null ? RunNetwork : _graphs.Run;
        if (_options.HorizontalFlip) forward = SlidingWindowInference.WithHorizontalFlip(forward);
        var probabilities = _options.SlidingWindow is { } window ? SlidingWindowInference.Run(batch, forward, window) : forward(batch);
        var classIds = probabilities.ArgMax(1);
        var result = new SegmentationPrediction(classIds.To(Device.Cpu).DetachFromDisposeScope(),
            probabilities.To(Device.Cpu).DetachFromDisposeScope());
        return result;
    }
}
