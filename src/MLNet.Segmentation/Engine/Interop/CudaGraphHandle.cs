using System.Runtime.InteropServices;

namespace MLNet.Segmentation.Engine.Interop;

/// <summary>Owns a native CUDA graph (and its side stream); releasing it frees the graph and its private memory pool.</summary>
internal sealed class CudaGraphHandle : SafeHandle
{
    internal CudaGraphHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.mlseg_cuda_graph_free(handle);
        return true;
    }
}
