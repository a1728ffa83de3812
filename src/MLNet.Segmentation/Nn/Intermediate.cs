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
    /// <remarks>A convolution followed by an eval-mode BatchNorm runs as one folded convolution (<see cref="BatchNormFolding"/>).</remarks>
    public static Tensor Through(Tensor input, bool releaseInput, params ReadOnlySpan<Module> layers)
    {
        var x = input;
        for (int i = 0; i < layers.Length; i++)
        {
            var y = Step(layers, ref i, x);
            if (releaseInput || !ReferenceEquals(x, input)) Release(x, y);
            x = y;
        }
        return x;
    }

    /// <summary>
    /// The output of <paramref name="layers"/>[<paramref name="index"/>] on <paramref name="x"/>; when that layer and
    /// the next fold (<see cref="BatchNormFolding"/>), the output of both, with <paramref name="index"/> moved onto the second.
    /// </summary>
    public static Tensor Step(ReadOnlySpan<Module> layers, ref int index, Tensor x)
    {
        var layer = layers[index];
        if (index + 1 < layers.Length && BatchNormFolding.Applies(layer, layers[index + 1], x))
            return BatchNormFolding.Forward(layer, (BatchNorm2d)layers[++index], x);
        return layer.Forward(x);
    }
}
