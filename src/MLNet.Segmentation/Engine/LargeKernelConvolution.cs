namespace MLNet.Segmentation.Engine;

/// <summary>
/// Runs a convolution whose contiguous kernel holds more values than its channels-last input in the contiguous layout,
/// and hands the output back channels-last. libtorch's oneDNN convolution copies a contiguous kernel into channels-last
/// on every call with a channels-last input. For FCN's fc6 (7x7, 512 → 4096, 411 MB) on a 15x15 map that copy is far
/// larger than the activations, so it set the peak memory of batched inference. Converting the small input and output
/// instead costs two activation-sized copies.
/// </summary>
internal static class LargeKernelConvolution
{
    /// <summary>Whether <paramref name="input"/> is channels-last, <paramref name="weight"/> contiguous, and the weight the larger.</summary>
    public static bool Applies(Tensor input, Tensor weight) =>
        input.Dim == 4 && weight.Dim == 4 && weight.NumberOfElements > input.NumberOfElements && input.Device.Type == DeviceType.Cpu
        && input.IsChannelsLastOnly() && weight.IsContiguous(MemoryFormat.Contiguous) && !weight.IsContiguous(MemoryFormat.ChannelsLast);

    /// <summary><paramref name="convolve"/> on the contiguous input, its output returned channels-last.</summary>
    public static Tensor Compute(Tensor input, Func<Tensor, Tensor> convolve)
    {
        using var contiguous = input.Contiguous();
        using var output = convolve(contiguous);
        return output.Contiguous(MemoryFormat.ChannelsLast);
    }
}
