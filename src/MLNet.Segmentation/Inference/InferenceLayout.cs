using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Inference;

/// <summary>The memory layout inference uses unless told otherwise (<see cref="PredictorOptions.MemoryFormat"/> = null).</summary>
public static class InferenceLayout
{
    /// <summary>
    /// Channels-last on the CPU, where oneDNN convolves NHWC without reordering every activation (0.8–0.95x the time of
    /// contiguous inference for the bundled networks; BENCHMARKS.md); contiguous elsewhere (cuDNN gains from
    /// channels-last mainly under reduced precision).
    /// </summary>
    public static MemoryFormat Default(Device device) => device.Type == DeviceType.Cpu ? MemoryFormat.ChannelsLast : MemoryFormat.Contiguous;
}
