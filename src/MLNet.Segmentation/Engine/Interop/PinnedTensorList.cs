namespace MLNet.Segmentation.Engine.Interop;

/// <summary>
/// A reusable list of tensors for operators that take a <c>Tensor[]</c> of any length (the foreach ops): unlike
/// <see cref="OpArgs.Tensors(ReadOnlySpan{Tensor})"/>, whose inline buffer holds 64 handles, the handles go to a scratch array on the pinned
/// object heap, filled when the argument is built, so a call passes its address without copying or pinning. The list
/// holds references, not ownership: its tensors must stay undisposed until the call.
/// </summary>
internal sealed class PinnedTensorList
{
    private Tensor[] _tensors;
    private IntPtr[] _handles;

    /// <summary>Creates an empty list with room for <paramref name="capacity"/> tensors (it grows as needed).</summary>
    public PinnedTensorList(int capacity = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _tensors = new Tensor[capacity];
        _handles = GC.AllocateArray<IntPtr>(capacity, pinned: true);
    }

    /// <summary>Number of tensors in the list.</summary>
    public int Count { get; private set; }

    /// <summary>Tensor <paramref name="index"/>.</summary>
    public Tensor this[int index] => (uint)index < (uint)Count ? _tensors[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Appends a tensor.</summary>
    public void Add(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (Count == _tensors.Length)
        {
            Array.Resize(ref _tensors, Count * 2);
            _handles = GC.AllocateArray<IntPtr>(Count * 2, pinned: true);
        }
        _tensors[Count++] = tensor;
    }

    /// <summary>
    /// <paramref name="list"/> (made when null) emptied and filled with <paramref name="tensors"/>, e.g. the results of a
    /// foreach op, so that a list kept between calls is reused.
    /// </summary>
    public static PinnedTensorList Refill(ref PinnedTensorList? list, IReadOnlyList<Tensor> tensors)
    {
        list ??= new PinnedTensorList(Math.Max(tensors.Count, 1));
        list.Clear();
        foreach (var tensor in tensors) list.Add(tensor);
        return list;
    }

    /// <summary>Empties the list (the tensors are not disposed).</summary>
    public void Clear()
    {
        Array.Clear(_tensors, 0, Count);
        Count = 0;
    }

    /// <summary>Writes the live handles of the tensors to the pinned scratch array and returns its address.</summary>
    internal unsafe IntPtr FillHandles()
    {
        for (int k = 0; k < Count; k++) _handles[k] = _tensors[k].LiveHandle;
        fixed (IntPtr* first = _handles) return (IntPtr)first; // pinned object heap: the address stays valid
    }
}
