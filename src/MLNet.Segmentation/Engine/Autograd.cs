using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

/// <summary>Autograd switches: <c>using (Autograd.NoGrad()) { ... }</c> like torch.no_grad().</summary>
public static class Autograd
{
    /// <summary>True when operations on this thread record gradients.</summary>
    public static bool IsEnabled
    {
        get
        {
            LibTorch.EnsureInitialized();
            NativeStatus.Check(NativeMethods.mlseg_grad_enabled(out int enabled), "grad_enabled");
            return enabled != 0;
        }
    }

    /// <summary>Disables gradient recording on this thread until the returned guard is disposed.</summary>
    public static GradModeGuard NoGrad() => new(false);

    /// <summary>Enables gradient recording on this thread until the returned guard is disposed.</summary>
    public static GradModeGuard EnableGrad() => new(true);

    /// <summary>Restores the previous grad mode when disposed.</summary>
    public readonly struct GradModeGuard : IDisposable
    {
        private readonly bool _previous;

        internal GradModeGuard(bool enabled)
        {
            _previous = IsEnabled;
            NativeStatus.Check(NativeMethods.mlseg_set_grad_enabled(enabled ? 1 : 0), "set_grad_enabled");
        }

        /// <summary>Restores the grad mode that was active before.</summary>
        public void Dispose() => NativeMethods.mlseg_set_grad_enabled(_previous ? 1 : 0);
    }
}
