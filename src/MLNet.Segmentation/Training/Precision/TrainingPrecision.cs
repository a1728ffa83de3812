using static TorchSharp.torch;

namespace MLNet.Segmentation.Training;

/// <summary>The arithmetic precision of training steps.</summary>
public enum TrainingPrecision
{
    /// <summary>Everything in float32.</summary>
    Float32,
    /// <summary>Autocast to bfloat16 (CPU or CUDA); same range as float32, so no loss scaling.</summary>
    BFloat16,
    /// <summary>Autocast to float16 with dynamic loss scaling (CUDA only).</summary>
    Float16,
}

/// <summary>Autocast regions for a <see cref="TrainingPrecision"/>.</summary>
public static class TrainingPrecisionExtensions
{
    /// <summary>The autocast guard of <paramref name="precision"/> on <paramref name="device"/> (null for float32).</summary>
    public static IDisposable? Autocast(this TrainingPrecision precision, Device device) => precision switch
    {
        TrainingPrecision.BFloat16 => Engine.Autocast.Enable(device, ScalarType.BFloat16),
        TrainingPrecision.Float16 => Engine.Autocast.Enable(device, ScalarType.Float16),
        _ => null,
    };
}
