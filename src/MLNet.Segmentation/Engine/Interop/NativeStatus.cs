using System.Runtime.InteropServices;

namespace MLNet.Segmentation.Engine.Interop;

/// <summary>Turns the bridge's status codes into managed exceptions.</summary>
internal static class NativeStatus
{
    /// <summary>Throws a <see cref="TorchException"/> with libtorch's message when <paramref name="status"/> is non-zero.</summary>
    internal static void Check(int status, string? context = null)
    {
        if (status == 0) return;
        throw new TorchException(context, LastError());
    }

    internal static string LastError() =>
        Marshal.PtrToStringUTF8(NativeMethods.mlseg_last_error()) ?? "unknown native error";
}
