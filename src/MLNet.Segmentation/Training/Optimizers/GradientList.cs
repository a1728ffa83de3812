using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Training.Optimizers;

/// <summary>
/// The parameters of a list that have a gradient, with their indices in the list and their gradients, gathered for
/// multi-tensor ops; and whether those can be used: every parameter and gradient shares one device and dtype, and
/// (unless asked otherwise, as torch's foreach=None) they are on CUDA. Reusable from step to step.
/// </summary>
internal sealed class GradientList
{
    private readonly List<int> _indices = new();

    /// <summary>Indices of the parameters in the gathered list.</summary>
    public IReadOnlyList<int> Indices => _indices;

    /// <summary>The parameters that have a gradient.</summary>
    public PinnedTensorList Parameters { get; } = new();

    /// <summary>Their gradients, in the same order (handles of the dispose scope current when gathered).</summary>
    public PinnedTensorList Grads { get; } = new();

    /// <summary>Number of parameters with a gradient.</summary>
    public int Count => _indices.Count;

    /// <summary>Every parameter and gradient has the first parameter's device and dtype.</summary>
    public bool Uniform { get; private set; } = true;

    /// <summary>Every parameter is on a CUDA device.</summary>
    public bool OnCuda { get; private set; } = true;

    /// <summary>Whether multi-tensor ops apply: <paramref name="requested"/> if set, else on CUDA; never across devices or dtypes.</summary>
    public bool UseForeach(bool? requested) => Count > 0 && Uniform && (requested ?? OnCuda);

    /// <summary>The parameters of <paramref name="parameters"/> that have a gradient.</summary>
    public static GradientList Of(IEnumerable<Tensor> parameters)
    {
        var gradients = new GradientList();
        gradients.Gather(parameters);
        return gradients;
    }

    /// <summary>Replaces the contents with the parameters of <paramref name="parameters"/> that have a gradient.</summary>
    public void Gather(IEnumerable<Tensor> parameters)
    {
        _indices.Clear();
        Parameters.Clear();
        Grads.Clear();
        Uniform = OnCuda = true;
        Device device = default;
        DType dtype = default;
        int index = -1;
        foreach (var parameter in parameters)
        {
            index++;
            if (parameter.Grad is not { } grad) continue;
            var (parameterDevice, parameterType) = (parameter.Device, parameter.DType);
            if (Count == 0) (device, dtype) = (parameterDevice, parameterType);
            Uniform &= parameterDevice == device && parameterType == dtype && grad.Device == device && grad.DType == dtype;
            OnCuda &= parameterDevice.Type == DeviceType.Cuda;
            _indices.Add(index);
            Parameters.Add(parameter);
            Grads.Add(grad);
        }
    }

    /// <summary>Multiplies every gradient by <paramref name="factor"/> in place, in one multi-tensor op or one op each.</summary>
    public void MulInPlace(double factor, bool useForeach)
    {
        if (useForeach) Engine.Foreach.MulInPlace(Grads, factor);
        else for (int k = 0; k < Grads.Count; k++) Grads[k].MulInPlace(factor);
    }

    /// <summary>
    /// The <paramref name="order"/>-norm of all gradients together (2 or infinity), as a 0-d tensor on the first
    /// gradient's device: the norm of the per-gradient norms (in float64 when the devices or dtypes differ).
    /// </summary>
    public Tensor Norm(double order, bool useForeach)
    {
        Tensor[] norms;
        if (useForeach) norms = Engine.Foreach.Norm(Grads, order);
        else
        {
            norms = new Tensor[Grads.Count];
            for (int k = 0; k < norms.Length; k++)
                norms[k] = Uniform ? Grads[k].Norm(order) : Grads[k].Norm(order).To(DType.Float64).To(Grads[0].Device);
        }
        PinnedTensorList? list = null;
        return Engine.Foreach.Stack(PinnedTensorList.Refill(ref list, norms)).Norm(order);
    }
}
