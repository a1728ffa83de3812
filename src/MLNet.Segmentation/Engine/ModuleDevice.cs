using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Engine;

/// <summary>Moves modules between devices without leaving tensor handles to the finalizer.</summary>
public static class ModuleDevice
{
    /// <summary>
    /// <c>module.to(device)</c> inside a dispose scope: TorchSharp 0.107 reads every parameter's gradient through a new
    /// handle while deciding whether to move it and leaves that handle to the GC when it does not (one per parameter
    /// with a gradient, each call). The scope frees those; moved parameters are detached from it by TorchSharp itself.
    /// </summary>
    public static T MoveTo<T>(T module, Device device) where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(device);
        using var scope = NewDisposeScope();
        return module.to(device);
    }
}
