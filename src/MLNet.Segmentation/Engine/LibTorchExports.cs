using System.Runtime.InteropServices;

namespace MLNet.Segmentation.Engine;

/// <summary>
/// libtorch C++ functions that TorchSharp 0.107 does not wrap, called by their Itanium-mangled names in libtorch_cpu.so
/// (Linux). Each takes and returns plain values (enum bytes, bools, pointers), so no C++ object crosses the boundary.
/// Elsewhere (Windows, macOS) the names differ and callers get a <see cref="PlatformNotSupportedException"/>.
/// </summary>
internal static class LibTorchExports
{
    private const string Library = "libtorch_cpu";

    internal static void RequireLinux(string feature)
    {
        TorchRuntime.EnsureInitialized();
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException($"{feature} calls libtorch's C++ exports by their Linux names; it is not available on this operating system");
    }

    [DllImport(Library, EntryPoint = "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE")]
    internal static extern byte is_autocast_enabled(sbyte deviceType);

    [DllImport(Library, EntryPoint = "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb")]
    internal static extern void set_autocast_enabled(sbyte deviceType, byte enabled);

    [DllImport(Library, EntryPoint = "_ZN2at8autocast18get_autocast_dtypeEN3c1010DeviceTypeE")]
    internal static extern sbyte get_autocast_dtype(sbyte deviceType);

    [DllImport(Library, EntryPoint = "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE")]
    internal static extern void set_autocast_dtype(sbyte deviceType, sbyte scalarType);

    [DllImport(Library, EntryPoint = "_ZN2at8autocast17increment_nestingEv")]
    internal static extern int increment_nesting();

    [DllImport(Library, EntryPoint = "_ZN2at8autocast17decrement_nestingEv")]
    internal static extern int decrement_nesting();

    [DllImport(Library, EntryPoint = "_ZN2at8autocast11clear_cacheEv")]
    internal static extern void clear_cache();

    [DllImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    internal static extern void setUserEnabledNNPACK(IntPtr context, byte enabled);

    [DllImport(Library, EntryPoint = "_ZN2at13globalContextEv")]
    internal static extern IntPtr globalContext();

    [DllImport(Library, EntryPoint = "_ZNK2at7Context14benchmarkCuDNNEv")]
    internal static extern byte benchmarkCuDNN(IntPtr context);

    [DllImport(Library, EntryPoint = "_ZN2at7Context17setBenchmarkCuDNNEb")]
    internal static extern void setBenchmarkCuDNN(IntPtr context, byte enabled);
}
