namespace MLNet.Segmentation.Engine;

/// <summary>
/// Frees, when disposed, every tensor created on this thread while it was the innermost scope, except
/// tensors moved out with <see cref="Tensor.MoveToOuterDisposeScope"/> or <see cref="Tensor.DetachFromDisposeScope"/>.
/// Use one per training step or batch so native memory is released deterministically.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? t_current;

    private readonly List<Tensor> _tensors = new();
    private readonly int _threadId = Environment.CurrentManagedThreadId;
    private bool _disposed;

    private DisposeScope(DisposeScope? outer) => Outer = outer;

    /// <summary>The innermost scope of the calling thread, or null.</summary>
    public static DisposeScope? Current => t_current;

    /// <summary>The scope this one is nested in.</summary>
    public DisposeScope? Outer { get; }

    /// <summary>Number of tensors this scope still owns.</summary>
    public int OwnedCount
    {
        get
        {
            int count = 0;
            foreach (var tensor in _tensors) if (tensor.OwnerScope == this && !tensor.IsDisposed) count++;
            return count;
        }
    }

    /// <summary>Opens a scope nested in the current one.</summary>
    public static DisposeScope Enter()
    {
        var scope = new DisposeScope(t_current);
        t_current = scope;
        return scope;
    }

    internal void Register(Tensor tensor)
    {
        tensor.OwnerScope = this;
        _tensors.Add(tensor);
    }

    /// <summary>Disposes the owned tensors and makes the outer scope current again.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (Environment.CurrentManagedThreadId != _threadId)
            throw new InvalidOperationException("a DisposeScope must be disposed on the thread that entered it");
        foreach (var tensor in _tensors)
            if (tensor.OwnerScope == this) tensor.Dispose();
        _tensors.Clear();
        if (t_current == this) t_current = Outer;
    }
}
