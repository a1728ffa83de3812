using TorchSharp.Modules;

namespace MLNet.Segmentation.Training;

/// <summary>
/// Gradient buffers between training steps. PyTorch's <c>zero_grad(set_to_none=True)</c> (its default since 2.0)
/// drops them instead of zeroing them; TorchSharp 0.107's <c>zero_grad()</c> only zeroes, so every parameter's gradient
/// stays allocated through the next forward pass and the start of its backward pass, when activations peak.
/// </summary>
public static class Gradients
{
    /// <summary>Drops the gradient of each parameter (the next backward pass allocates it again, already summed).</summary>
    public static void SetToNone(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var parameter in parameters)
        {
            using var gradient = parameter.grad;
            if (gradient is not null) parameter.grad = null;
        }
    }
}
