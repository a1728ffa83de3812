namespace MLNet.Segmentation.Data;

/// <summary>
/// One epoch of background batch building: worker threads claim batch numbers in order, each after taking a
/// slot of a bounded buffer (so at most <c>capacity</c> batches exist ahead of the consumer), and publish
/// results (or exceptions) per batch number; the consumer takes them in order and frees a slot each time.
/// </summary>
internal sealed class PrefetchRun : IDisposable
{
    private readonly TaskCompletionSource<SegmentationBatch>[] _slots;
    private readonly SemaphoreSlim _capacity;
    private readonly CancellationTokenSource _stop;
    private readonly Func<int, SegmentationBatch> _build;
    private readonly Action _workerStart;
    private readonly Thread[] _workers;
    private int _nextToBuild = -1;
    private int _nextToTake;

    internal PrefetchRun(int batchCount, int workers, int capacity, Func<int, SegmentationBatch> build, Action workerStart,
        CancellationToken cancellationToken)
    {
        _slots = new TaskCompletionSource<SegmentationBatch>[batchCount];
        for (int b = 0; b < batchCount; b++) _slots[b] = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _capacity = new SemaphoreSlim(capacity, capacity);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _build = build;
        _workerStart = workerStart;
        _workers = new Thread[Math.Min(workers, Math.Max(batchCount, 1))];
        for (int w = 0; w < _workers.Length; w++)
        {
            _workers[w] = new Thread(Work) { IsBackground = true, Name = $"mlseg-loader-{w}" };
            _workers[w].Start();
        }
    }

    /// <summary>Waits for batch <paramref name="batch"/> (taken in order) and hands it over.</summary>
    internal SegmentationBatch Take(int batch)
    {
        if (batch != _nextToTake) throw new InvalidOperationException("batches are taken in order");
        _stop.Token.ThrowIfCancellationRequested();
        var task = _slots[batch].Task;
        try
        {
            task.Wait(_stop.Token);
        }
        catch (AggregateException)
        {
            // rethrown unwrapped below
        }
        var result = task.GetAwaiter().GetResult();
        _nextToTake++;
        _capacity.Release();
        return result;
    }

    private void Work()
    {
        var token = _stop.Token;
        try
        {
            _workerStart();
        }
        catch (Exception e)
        {
            // Fail the first batch this worker would build rather than losing the error.
            int failed = Interlocked.Increment(ref _nextToBuild);
            if (failed < _slots.Length) _slots[failed].TrySetException(e);
            return;
        }
        try
        {
            while (true)
            {
                _capacity.Wait(token);
                int batch = Interlocked.Increment(ref _nextToBuild);
                if (batch >= _slots.Length) return;
                if (token.IsCancellationRequested)
                {
                    _slots[batch].TrySetCanceled(token);
                    return;
                }
                try
                {
                    var built = _build(batch);
                    if (!_slots[batch].TrySetResult(built)) built.Dispose();
                }
                catch (Exception e)
                {
                    _slots[batch].TrySetException(e);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    /// <summary>Stops the workers, waits for them, and disposes batches built but never taken.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        foreach (var worker in _workers) worker.Join();
        for (int b = _nextToTake; b < _slots.Length; b++)
            if (_slots[b].Task.IsCompletedSuccessfully) _slots[b].Task.Result.Dispose();
        _stop.Dispose();
        _capacity.Dispose();
    }
}
