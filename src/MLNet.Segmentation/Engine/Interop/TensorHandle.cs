using System.Runtime.InteropServices;

namespace MLNet.Segmentation.Engine.Interop;

/// <summary>Owns one reference to a native at::Tensor; releasing it drops that reference.</summary>
internal sealed class TensorHandle : SafeHandle
{
    internal TensorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.mlseg_tensor_free(handle);
        return true;
    }
}
