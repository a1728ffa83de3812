using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Training.Optimizers;

/// <summary>
/// The gradients of a parameter list, gathered for multi-tensor ops, and whether those can be used: all gradients share
/// one device and dtype, and (unless asked otherwise, as torch's foreach=None) they are on CUDA.
/// </summary>
internal sealed class GradientList
{
    private GradientList(PinnedTensorList grads, bool uniform, bool onCuda)
    {
        Grads = grads;
        Uniform = uniform;
        OnCuda = onCuda;
    }

    /// <summary>The defined gradients, in parameter order (handles of the current dispose scope).</summary>
    public PinnedTensorList Grads { get; }

    /// <summary>Every gradient has the first one's device and dtype.</summary>
    public bool Uniform { get; }

    /// <summary>Every gradient is on a CUDA device.</summary>
    public bool OnCuda { get; }

    /// <summary>Whether multi-tensor ops apply: <paramref name="requested"/> if set, else on CUDA; never across devices or dtypes.</summary>
    public bool UseForeach(bool? requested) => Grads.Count > 0 && Uniform && (requested ?? OnCuda);

    /// <summary>Gathers the gradients of <paramref name="parameters"/> that have one.</summary>
    public static GradientList Of(IEnumerable<Tensor> parameters)
    {
        var grads = new PinnedTensorList();
        bool uniform = true, onCuda = true;
        Device device = default;
        DType dtype = default;
        foreach (var parameter in parameters)
        {
            if (parameter.Grad is not { } grad) continue;
            var (gradDevice, gradType) = (grad.Device, grad.DType);
            if (grads.Count == 0) (device, dtype) = (gradDevice, gradType);
            uniform &= gradDevice == device && gradType == dtype;
            onCuda &= gradDevice.Type == DeviceType.Cuda;
            grads.Add(grad);
        }
        return new GradientList(grads, uniform, onCuda);
    }
}
