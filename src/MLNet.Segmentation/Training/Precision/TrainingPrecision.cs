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
