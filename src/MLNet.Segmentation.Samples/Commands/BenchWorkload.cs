using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Losses;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Samples.Cli;
using MLNet.Segmentation.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// One benchmark network with fixed random inputs: a full training step (forward, cross-entropy, backward, Adam) and
/// batched inference (forward + argmax, no gradients), as `mlseg bench` times them and `mlseg bench-memory` repeats them.
/// Weights and inputs are drawn as the peers draw them: global seed 0, the network, then the images and the targets.
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
        if (a.Choice("--device", "cpu", "cpu", "cuda") == "cpu") return CPU;
        if (!TorchRuntime.CudaIsAvailable) throw new InvalidOperationException("--device cuda: no usable CUDA device");
        return new Device(DeviceType.CUDA, 0);
    }

    private readonly Tensor _images;
    private readonly Tensor _targets;
    private readonly optim.Optimizer _optimizer;
    private readonly IReadOnlyList<TorchSharp.Modules.Parameter> _parameters;
    private readonly GradientScaler? _scaler;
    private readonly CrossEntropyLoss _loss = new();
    private readonly TrainingPrecision _precision;
    private readonly Device _device;

    public BenchWorkload(string arch, int batch, int size, int classes, Device device, string precision, int widthDivisor = 1)
    {
        _device = device;
        random.manual_seed(0);
        Module = ModelCatalog.Create(CatalogNames[arch], new ModelBuildSettings(classes, 3, widthDivisor));
        ModuleDevice.MoveTo(Module, device);
        _images = rand(new long[] { batch, 3, size, size }, device: device).DetachFromDisposeScope();
        _targets = randint(0, classes, new long[] { batch, size, size }, ScalarType.Int64, device: device).DetachFromDisposeScope();
        var parameters = Module.parameters().ToList();
        _parameters = parameters;
        _optimizer = optim.Adam(parameters, 1e-4);
        _scaler = precision == "fp16" ? new GradientScaler() : null;
        _precision = precision switch { "bf16" => TrainingPrecision.BFloat16, "fp16" => TrainingPrecision.Float16, _ => TrainingPrecision.Float32 };
    }

    /// <summary>Drop the gradients after each step, as the trainer does by default (false: zero them, as TorchSharp's zero_grad).</summary>
    public bool GradientsToNone { get; init; } = true;

    /// <summary>The network.</summary>
    public nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>Forward, loss, backward and an Adam update.</summary>
    public void TrainStep()
    {
        using var scope = NewDisposeScope();
        Tensor value;
        using (_precision.Autocast(_device)) value = _loss.Compute(Module.call(_images), _targets);
        _optimizer.zero_grad();
        if (_scaler is null)
        {
            value.backward();
            _optimizer.step();
        }
        else
        {
            _scaler.Scale(value).backward();
            _scaler.Step(_optimizer, _parameters);
            _scaler.Update();
        }
        if (GradientsToNone) Gradients.SetToNone(_parameters);
    }

    /// <summary>
    /// Puts the network in eval mode for <see cref="Infer"/>, with its BatchNorm folded into its convolutions when
    /// <paramref name="foldBatchNorm"/> (the network cannot train after that); returns how many were folded.
    /// </summary>
    public int PrepareInference(bool foldBatchNorm)
    {
        Module.eval();
        return foldBatchNorm ? BatchNormFusion.FoldInPlace(Module) : 0;
    }

    /// <summary>Forward and argmax without gradients (after <see cref="PrepareInference"/>).</summary>
    public void Infer()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using (_precision.Autocast(_device)) Module.call(_images).argmax(1);
    }

    /// <summary>Waits for queued GPU work (nothing on the CPU).</summary>
    public void Sync() => TorchRuntime.Synchronize(_device);

    /// <summary>The median of <paramref name="sorted"/> (ascending): the middle value, or the mean of the middle two.</summary>
    public static double MedianOfSorted(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

    public void Dispose()
    {
        _optimizer.Dispose();
        _loss.Dispose();
        _targets.Dispose();
        _images.Dispose();
        Module.Dispose();
    }
}
