using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Inference;

/// <summary>The memory layout a batch is run in when <see cref="PredictorOptions.MemoryFormat"/> is null (automatic).</summary>
public static class InferenceLayout
{
    /// <summary>The fewest pixels in a batch (images x height x width) for which channels-last is chosen.</summary>
    public const long ChannelsLastMinimumPixels = 32_768;

    /// <summary>
    /// Channels-last for a CPU batch with at least <see cref="ChannelsLastMinimumPixels"/> pixels in all (8 images of
    /// 64x64, 2 of 128x128, one of 182x182), where oneDNN convolves NHWC without reordering every activation (0.8–0.95x
    /// the contiguous time for the bundled networks at batch 8, 256x256, and 0.87–0.97x for a single 256x256 image:
    /// BENCHMARKS.md). Contiguous otherwise: for small batches and small images the per-call reorders dominate and
    /// channels-last measured up to 3x slower (FCN-8s at 1 x 64x64 and at 2 x 64x64); and on CUDA (cuDNN gains from
    /// channels-last mainly under reduced precision). Only the input is laid out: the layout carries through the bundled
    /// networks, and the model's kernels are left as they are.
    /// </summary>
    public static MemoryFormat For(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        bool channelsLast = batch.Dim == 4 && batch.Device.Type == DeviceType.Cpu
                            && batch.Size(0) * batch.Size(2) * batch.Size(3) >= ChannelsLastMinimumPixels;
        return channelsLast ? MemoryFormat.ChannelsLast : MemoryFormat.Contiguous;
    }
}
