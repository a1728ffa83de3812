namespace MLNet.Segmentation.Engine;

/// <summary>
/// Runs a float32 CPU convolution of a batch of one image through oneDNN. libtorch's convolution (1.13 and 2.x alike)
/// sends a single image with a kernel of at most 3x3 and at most 20,480 input values to its own im2col + BLAS kernel
/// instead ("native is faster" for some cases). In the deep, small layers of every bundled network that kernel is
/// 2–5x slower than oneDNN on this project's CPUs (with Debian's reference BLAS it runs on one thread), so single-image
/// inference, the predictor's and the ML.NET transformer's usual case, paid for it. This calls
/// <c>aten::mkldnn_convolution</c>, the kernel libtorch uses for larger batches, which has its own backward. Float64,
/// CUDA, autocast and batches of several images keep <c>aten::conv2d</c>; so do inputs it would reject, so that its
/// error messages stay the ones users see.
/// </summary>
internal static class SingleImageConvolution
{
    /// <summary>Whether <see cref="Compute"/> should run this convolution.</summary>
    public static bool Applies(Tensor input, Tensor weight, Tensor? bias, Size2 padding, Size2 dilation, long groups) =>
        input.Dim == 4 && input.Size(0) == 1 && OneDnnConvolution.Accepts(input, weight, bias, padding, dilation, groups);

    /// <summary>The convolution through oneDNN (call only when <see cref="Applies"/>).</summary>
    public static Tensor Compute(Tensor input, Tensor weight, Tensor? bias, Size2 stride, Size2 padding, Size2 dilation, long groups) =>
        OneDnnConvolution.Run(input, weight, bias, stride, padding, dilation, groups);
}
