using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

/// <summary>A seeded random generator (like torch.Generator) for reproducible random tensors.</summary>
public sealed class Generator : IDisposable
{
    private IntPtr _handle;

    private Generator(IntPtr handle, Device device)
    {
        _handle = handle;
        Device = device;
    }

    /// <summary>A new generator on <paramref name="device"/> (CPU by default) seeded with <paramref name="seed"/>.</summary>
    public Generator(ulong seed, Device? device = null)
    {
        LibTorch.EnsureInitialized();
        Device = device ?? Device.Cpu;
        NativeStatus.Check(NativeMethods.mlseg_generator_new(seed, (int)Device.Type, Math.Max(Device.Index, 0), out _handle), "generator");
    }

    /// <summary>libtorch's default generator of a device (the one ops use when given none).</summary>
    public static Generator Default(Device? device = null)
    {
        LibTorch.EnsureInitialized();
        var d = device ?? Device.Cpu;
        NativeStatus.Check(NativeMethods.mlseg_generator_default((int)d.Type, Math.Max(d.Index, 0), out IntPtr handle), "default_generator");
        return new Generator(handle, d);
    }

    /// <summary>The device this generator serves.</summary>
    public Device Device { get; }

    internal IntPtr LiveHandle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(Generator));

    /// <summary>Reseeds the generator.</summary>
    public void ManualSeed(ulong seed) => NativeStatus.Check(NativeMethods.mlseg_generator_seed(LiveHandle, seed), "generator_seed");

    /// <summary>The full generator state as bytes (for checkpoints).</summary>
    public byte[] GetState()
    {
        NativeStatus.Check(NativeMethods.mlseg_generator_get_state(LiveHandle, out IntPtr state), "generator_get_state");
        using var tensor = new Tensor(state);
        return tensor.ToArray<byte>();
    }

    /// <summary>Restores a state returned by <see cref="GetState"/>.</summary>
    public void SetState(byte[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        using var tensor = Tensor.FromArray(state, state.Length);
        NativeStatus.Check(NativeMethods.mlseg_generator_set_state(LiveHandle, tensor.LiveHandle), "generator_set_state");
    }

    /// <summary>Releases the native generator.</summary>
    public void Dispose()
    {
        var handle = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (handle != IntPtr.Zero) NativeMethods.mlseg_generator_free(handle);
    }
}
