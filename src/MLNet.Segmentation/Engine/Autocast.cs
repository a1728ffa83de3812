using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Engine;

/// <summary>
/// Automatic mixed precision, like torch.autocast (TorchSharp 0.107 has none): inside
/// <c>using (Autocast.Enable(device, ScalarType.BFloat16)) { ... }</c> the operations that benefit (convolutions, matrix
/// products) run in the lower precision on that device type while numerically sensitive ones (softmax, losses,
/// reductions) stay in float32, exactly as in PyTorch, because this switches libtorch's own per-thread autocast state.
/// CPU supports bfloat16; CUDA float16 (with loss scaling) and bfloat16. Regions nest. Linux only.
/// </summary>
public static class Autocast
{
    /// <summary>Whether autocast is on for <paramref name="deviceType"/> on this thread.</summary>
    public static bool IsEnabled(DeviceType deviceType)
    {
        LibTorchExports.RequireLinux("autocast");
        return LibTorchExports.is_autocast_enabled(Code(deviceType)) != 0;
    }

    /// <summary>The precision autocast computes in on <paramref name="deviceType"/>.</summary>
    public static ScalarType PrecisionOf(DeviceType deviceType)
    {
        LibTorchExports.RequireLinux("autocast");
        return (ScalarType)LibTorchExports.get_autocast_dtype(Code(deviceType));
    }

    /// <summary>Whether autocast can compute in <paramref name="dtype"/> on <paramref name="deviceType"/>: BFloat16 anywhere, Float16 on CUDA.</summary>
    public static bool Supports(DeviceType deviceType, ScalarType dtype) =>
        dtype == ScalarType.BFloat16 || (dtype == ScalarType.Float16 && deviceType == DeviceType.CUDA);

    /// <summary>
    /// Whether a CPU operation on <paramref name="input"/> computes in bfloat16: a bfloat16 tensor, or a float32 one inside
    /// a CPU bfloat16 region (off Linux, where regions cannot be entered, only the former).
    /// </summary>
    internal static bool CpuComputesInBFloat16(torch.Tensor input) =>
        input.dtype == ScalarType.BFloat16
        || (input.dtype == ScalarType.Float32 && OperatingSystem.IsLinux() && LibTorchExports.is_autocast_enabled(Code(DeviceType.CPU)) != 0
            && (ScalarType)LibTorchExports.get_autocast_dtype(Code(DeviceType.CPU)) == ScalarType.BFloat16);

    /// <summary>Turns autocast on for <paramref name="device"/>'s type until the returned guard is disposed.</summary>
    public static AutocastGuard Enable(torch.Device device, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!Supports(device.type, dtype))
            throw new ArgumentException(dtype == ScalarType.Float16 ? "CPU autocast supports BFloat16 only" : $"autocast computes in Float16 or BFloat16, not {dtype}",
                nameof(dtype));
        return new AutocastGuard(device.type, true, dtype);
    }

    /// <summary>Turns autocast off for <paramref name="deviceType"/> (e.g. around a float32-only block) until disposed.</summary>
    public static AutocastGuard Disable(DeviceType deviceType) => new(deviceType, false, PrecisionOf(deviceType));

    private static sbyte Code(DeviceType deviceType) => deviceType switch
    {
        DeviceType.CPU => 0,
        DeviceType.CUDA => 1,
        _ => throw new ArgumentException($"autocast supports the CPU and CUDA, not {deviceType}", nameof(deviceType)),
    };

    private static void Set(DeviceType deviceType, bool enabled, ScalarType dtype)
    {
        sbyte d = Code(deviceType);
        bool wasEnabled = LibTorchExports.is_autocast_enabled(d) != 0;
        LibTorchExports.set_autocast_dtype(d, (sbyte)dtype);
        LibTorchExports.set_autocast_enabled(d, enabled ? (byte)1 : (byte)0);
        // As torch.autocast: entering the outermost region counts a nesting level; leaving it clears the cast-weight cache.
        if (enabled && !wasEnabled) LibTorchExports.increment_nesting();
        if (!enabled && wasEnabled && LibTorchExports.decrement_nesting() == 0) LibTorchExports.clear_cache();
    }

    /// <summary>Restores the previous autocast state of one device type when disposed.</summary>
    public readonly struct AutocastGuard : IDisposable
    {
        private readonly DeviceType _deviceType;
        private readonly bool _previousEnabled;
        private readonly ScalarType _previousDType;

        internal AutocastGuard(DeviceType deviceType, bool enabled, ScalarType dtype)
        {
            LibTorchExports.RequireLinux("autocast");
            _deviceType = deviceType;
            _previousEnabled = LibTorchExports.is_autocast_enabled(Code(deviceType)) != 0;
            _previousDType = (ScalarType)LibTorchExports.get_autocast_dtype(Code(deviceType));
            Set(deviceType, enabled, dtype);
        }

        /// <summary>Restores the state that was active before.</summary>
        public void Dispose() => Set(_deviceType, _previousEnabled, _previousDType);
    }
}
