using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Inference;

/// <summary>The memory layout a batch is run in when <see cref="PredictorOptions.MemoryFormat"/> is null (automatic).</summary>
public static class InferenceLayout
{
    /// <summary>
    /// Channels-last for a CPU batch of two or more images, where oneDNN convolves NHWC without reordering every
    /// activation (0.8–0.95x the contiguous time for the bundled networks at batch 8, 256x256: BENCHMARKS.md);
    /// contiguous for a single image, where the per-call kernel reorders dominate and channels-last measured up to 3x
    /// slower (FCN-8s, 64x64), and on CUDA (cuDNN gains from channels-last mainly under reduced precision). Only the
    /// input is laid out: the layout carries through the bundled networks, and the model's kernels are left as they are.
    /// </summary>
    public static MemoryFormat For(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.Dim == 4 && batch.Size(0) >= 2 && batch.Device.Type == DeviceType.Cpu ? MemoryFormat.ChannelsLast : MemoryFormat.Contiguous;
    }
}
