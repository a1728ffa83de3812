using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

/// <summary>
/// Automatic mixed precision, like torch.autocast: inside <c>using (Autocast.Enable(device, DType.BFloat16)) { ... }</c>
/// operations that benefit (convolutions, matrix products) run in the lower precision on that device type, while
/// numerically sensitive ones (softmax, losses, reductions) stay in float32. The state is per thread; regions nest.
/// CPU supports bfloat16; CUDA supports float16 (use a <see cref="Training.GradientScaler"/>) and bfloat16.
/// </summary>
public static class Autocast
{
    /// <summary>Whether autocast is on for <paramref name="deviceType"/> on this thread.</summary>
    public static bool IsEnabled(DeviceType deviceType) => Get(deviceType).Enabled;

    /// <summary>The precision autocast computes in on <paramref name="deviceType"/>.</summary>
    public static DType PrecisionOf(DeviceType deviceType) => Get(deviceType).DType;

    /// <summary>Whether autocast can compute in <paramref name="dtype"/> on <paramref name="deviceType"/>: BFloat16 anywhere, Float16 on CUDA.</summary>
    public static bool Supports(DeviceType deviceType, DType dtype) =>
        dtype == DType.BFloat16 || (dtype == DType.Float16 && deviceType == DeviceType.Cuda);

    /// <summary>Turns autocast on for <paramref name="device"/>'s type until the returned guard is disposed.</summary>
    public static AutocastGuard Enable(Device device, DType dtype)
    {
        if (!Supports(device.Type, dtype))
            throw new ArgumentException(dtype is DType.Float16 ? "CPU autocast supports BFloat16 only" : $"autocast computes in Float16 or BFloat16, not {dtype}",
                nameof(dtype));
        return new AutocastGuard(device.Type, true, dtype);
    }

    /// <summary>Turns autocast off for <paramref name="deviceType"/> (e.g. around a float32-only block) until disposed.</summary>
    public static AutocastGuard Disable(DeviceType deviceType) => new(deviceType, false, PrecisionOf(deviceType));

    private static (bool Enabled, DType DType) Get(DeviceType deviceType)
    {
        LibTorch.EnsureInitialized();
        NativeStatus.Check(NativeMethods.mlseg_autocast_get((int)deviceType, out int enabled, out int scalarType), "autocast_get");
        return (enabled != 0, (DType)scalarType);
    }

    /// <summary>Restores the previous autocast state of one device type when disposed.</summary>
    public readonly struct AutocastGuard : IDisposable
    {
        private readonly DeviceType _deviceType;
        private readonly bool _previousEnabled;
        private readonly DType _previousDType;

        internal AutocastGuard(DeviceType deviceType, bool enabled, DType dtype)
        {
            (_previousEnabled, _previousDType) = Get(deviceType);
            _deviceType = deviceType;
            NativeStatus.Check(NativeMethods.mlseg_autocast_set((int)deviceType, enabled ? 1 : 0, (int)dtype), "autocast_set");
        }

        /// <summary>Restores the state that was active before.</summary>
        public void Dispose() =>
            NativeStatus.Check(NativeMethods.mlseg_autocast_set((int)_deviceType, _previousEnabled ? 1 : 0, (int)_previousDType), "autocast_set");
    }
}
