using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Training.Optimizers;

/// <summary>
/// The parameters a multi-tensor optimizer step updates (those with a gradient), their indices in
/// <see cref="Optimizer.Parameters"/>, and their gradients; reused from step to step.
/// </summary>
internal sealed class ForeachBatch
{
    private readonly List<int> _indices = new();

    /// <summary>Indices of the parameters in the optimizer's list.</summary>
    public IReadOnlyList<int> Indices => _indices;

    /// <summary>The parameters.</summary>
    public PinnedTensorList Parameters { get; } = new();

    /// <summary>Their gradients, in the same order.</summary>
    public PinnedTensorList Grads { get; } = new();

    /// <summary>Number of parameters.</summary>
    public int Count => _indices.Count;

    /// <summary>Appends a parameter and its gradient.</summary>
    public void Add(int index, Tensor parameter, Tensor grad)
    {
        _indices.Add(index);
        Parameters.Add(parameter);
        Grads.Add(grad);
    }

    /// <summary>Empties the batch.</summary>
    public void Clear()
    {
        _indices.Clear();
        Parameters.Clear();
        Grads.Clear();
    }

    /// <summary>A list of <paramref name="tensors"/> (e.g. the results of a foreach op), reusing <paramref name="list"/>.</summary>
    public static PinnedTensorList Fill(ref PinnedTensorList? list, IReadOnlyList<Tensor> tensors)
    {
        list ??= new PinnedTensorList(Math.Max(tensors.Count, 1));
        list.Clear();
        foreach (var tensor in tensors) list.Add(tensor);
        return list;
    }
}
