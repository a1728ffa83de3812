using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Inference;
using MLNet.Segmentation.Losses;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Samples.Cli;
using MLNet.Segmentation.Training;
using MLNet.Segmentation.Training.Optimizers;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// One benchmark network with fixed random inputs: a full training step (forward, cross-entropy, backward, Adam) and
/// batched inference (forward + argmax, no gradients), as `mlseg bench` times them and `mlseg bench-memory` repeats them.
/// </summary>
internal sealed class BenchWorkload : IDisposable
{
    /// <summary>Bench names and the model catalog's names for them.</summary>
    public static readonly IReadOnlyDictionary<string, string> CatalogNames = new Dictionary<string, string>
    {
        ["unet"] = "unet", ["segnet"] = "segnet", ["fcn8s"] = "fcn-8s", ["deeplabv3plus"] = "deeplabv3plus-resnet50",
    };

    /// <summary>The --arch list (default: all four), each checked against <see cref="CatalogNames"/>.</summary>
    public static string[] ParseArchitectures(Arguments a)
    {
        var archs = (a.String("--arch") ?? string.Join(",", CatalogNames.Keys)).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (string arch in archs)
            if (!CatalogNames.ContainsKey(arch)) throw a.Usage($"--arch: unknown '{arch}'; known: {string.Join(",", CatalogNames.Keys)}");
        return archs;
    }

    /// <summary>--device cpu|cuda (default cpu); cuda only when this libtorch has a usable CUDA device.</summary>
    public static Device ParseDevice(Arguments a)
    {
        var device = a.Choice("--device", "cpu", "cpu", "cuda") == "cuda" ? Device.Cuda(0) : Device.Cpu;
        if (device.Type == DeviceType.Cuda && !LibTorch.CudaIsAvailable) throw new InvalidOperationException("--device cuda: no usable CUDA device");
        return device;
    }

    private readonly Generator _generator;
    private readonly Tensor _random;
    private readonly Tensor _images;
    private Tensor? _inferenceImages;
    private CudaGraphForward? _graphs;
    private readonly Tensor _targets;
    private readonly Adam _optimizer;
    private readonly GradientScaler? _scaler;
    private readonly CrossEntropyLoss _loss = new();
    private readonly TrainingPrecision _precision;
    private readonly Device _device;

    public BenchWorkload(string arch, int batch, int size, int classes, Device device, string precision, bool channelsLast, int widthDivisor = 1)
    {
        _device = device;
        _generator = new Generator(0);
        Module = ModelCatalog.Create(CatalogNames[arch], new ModelBuildSettings(classes, 3, widthDivisor, _generator));
        Module.To(device);
        if (channelsLast) Module.To(MemoryFormat.ChannelsLast);
        _random = Tensor.Rand([batch, 3, size, size], _generator, device: device).DetachFromDisposeScope();
        _images = _random.Contiguous(channelsLast ? MemoryFormat.ChannelsLast : MemoryFormat.Contiguous).DetachFromDisposeScope();
        _targets = Tensor.RandInt(0, classes, [batch, size, size], _generator, device: device).DetachFromDisposeScope();
        _optimizer = new Adam(Module.Parameters().ToList(), new AdamOptions { LearningRate = 1e-4 });
        _scaler = precision == "fp16" ? new GradientScaler() : null;
        _precision = precision switch { "bf16" => TrainingPrecision.BFloat16, "fp16" => TrainingPrecision.Float16, _ => TrainingPrecision.Float32 };
    }

    /// <summary>The network.</summary>
    public Module Module { get; }

    /// <summary>Training steps whose Adam update ran as multi-tensor ops (the default on CUDA).</summary>
    public long OptimizerForeachSteps => _optimizer.ForeachSteps;

    /// <summary>Forward, loss, backward and an Adam update.</summary>
    public void TrainStep()
    {
        using var scope = DisposeScope.Enter();
        Tensor value;
        using (_precision.Autocast(_device)) value = _loss.Compute(Module.Forward(_images), _targets);
        _optimizer.ZeroGrad();
        if (_scaler is null)
        {
            value.Backward();
            _optimizer.Step();
        }
        else
        {
            _scaler.Scale(value).Backward();
            _scaler.Step(_optimizer);
            _scaler.Update();
        }
    }

    /// <summary>
    /// Puts the network in eval mode and lays out the inference batch as SegmentationPredictor does: in
    /// <paramref name="layout"/> (the kernels too), or, when null, in <see cref="InferenceLayout.For"/>'s choice with
    /// the kernels untouched. With <paramref name="cudaGraphs"/>, <see cref="Infer"/> replays a CUDA graph of the
    /// forward and argmax (captured on its first call, so within the warm-up). Returns the batch's layout.
    /// </summary>
    public MemoryFormat PrepareInference(MemoryFormat? layout, bool cudaGraphs = false)
    {
        _graphs?.Dispose();
        _graphs = cudaGraphs ? new CudaGraphForward(InferenceForward, _device) : null;
        Module.Eval();
        if (layout is { } format) Module.To(format);
        var batchLayout = layout ?? InferenceLayout.For(_random);
        _inferenceImages?.Dispose();
        _inferenceImages = _random.Contiguous(batchLayout).DetachFromDisposeScope();
        return batchLayout;
    }

    /// <summary>Forward and argmax without gradients (after <see cref="PrepareInference"/>).</summary>
    public void Infer()
    {
        var images = _inferenceImages ?? throw new InvalidOperationException("call PrepareInference first");
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        if (_graphs is null) InferenceForward(images);
        else _graphs.Run(images);
    }

    /// <summary>
    /// With CUDA graphs: the fraction of pixels whose class the graph replay and an eager forward agree on (captures the
    /// graph if not yet done). A check that the replay computes the eager result, recorded beside the timing.
    /// </summary>
    public double CudaGraphAgreement()
    {
        var images = _inferenceImages ?? throw new InvalidOperationException("call PrepareInference first");
        var graphs = _graphs ?? throw new InvalidOperationException("PrepareInference was not asked for CUDA graphs");
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        var eager = InferenceForward(images);
        var replayed = graphs.Run(images);
        return replayed.Eq(eager).To(DType.Float32).Mean().ToDouble();
    }

    private Tensor InferenceForward(Tensor images)
    {
        using (_precision.Autocast(_device)) return Module.Forward(images).ArgMax(1);
    }

    /// <summary>Waits for queued GPU work (nothing on the CPU).</summary>
    public void Sync() => Synchronize(_device);

    /// <summary>Waits for the work queued on <paramref name="device"/> (nothing on the CPU).</summary>
    public static void Synchronize(Device device)
    {
        if (device.Type == DeviceType.Cuda) LibTorch.CudaSynchronize(Math.Max(device.Index, 0));
    }

    /// <summary>The median of <paramref name="sorted"/> (ascending): the middle value, or the mean of the middle two.</summary>
    public static double MedianOfSorted(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

    public void Dispose()
    {
        _graphs?.Dispose();
        _optimizer.Dispose();
        _targets.Dispose();
        _inferenceImages?.Dispose();
        _images.Dispose();
        _random.Dispose();
        Module.Dispose();
        _generator.Dispose();
    }
}
