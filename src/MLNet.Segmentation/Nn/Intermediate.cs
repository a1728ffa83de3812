using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Nn;

/// <summary>
/// Frees a forward pass's intermediate tensors as soon as the pass no longer needs them, as Python's reference counting
/// does for PyTorch: otherwise every activation would live until the enclosing <see cref="DisposeScope"/> ends (through
/// the backward pass and the optimizer step). Only our handle goes: autograd keeps what backward needs.
/// </summary>
internal static class Intermediate
{
    /// <summary>Disposes <paramref name="tensor"/> unless it is one of the tensors still in use (the same object).</summary>
    public static void Release(Tensor tensor, Tensor stillUsed, Tensor? alsoStillUsed = null)
    {
        if (!ReferenceEquals(tensor, stillUsed) && !ReferenceEquals(tensor, alsoStillUsed)) tensor.Dispose();
    }

    /// <summary>Applies <paramref name="layers"/> in turn, freeing each intermediate (and <paramref name="input"/> when <paramref name="releaseInput"/>).</summary>
    public static Tensor Through(Tensor input, bool releaseInput, params ReadOnlySpan<Module> layers)
    {
        var x = input;
        foreach (var layer in layers)
        {
            var y = layer.Forward(x);
            if (releaseInput || !ReferenceEquals(x, input)) Release(x, y);
            x = y;
        }
        return x;
    }
}
