using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

/// <summary>
/// A CUDA graph (torch.cuda.CUDAGraph): the kernels a fixed-shape piece of work launches, captured once and replayed
/// with one launch, which removes the per-op launch and interop cost. Warm the work up with
/// <see cref="RunOnSideStream"/>, record it with <see cref="Capture"/>, then <see cref="Replay"/>: the replay reads
/// and writes the very tensors the capture used, so copy new inputs into those tensors first. Needs a bridge built
/// against a CUDA libtorch (<see cref="LibTorch.CudaBridgeCompiled"/>).
/// </summary>
public sealed class CudaGraph : IDisposable
{
    private readonly CudaGraphHandle _handle;

    /// <summary>A new, empty graph on the CUDA <paramref name="device"/> (index -1 means 0).</summary>
    public CudaGraph(Device device)
    {
        int index = device.CudaIndexFor("CUDA graphs", nameof(device));
        LibTorch.EnsureInitialized();
        Device = device;
        NativeStatus.Check(NativeMethods.mlseg_cuda_graph_new(index, out IntPtr handle), "cuda_graph_new");
        _handle = new CudaGraphHandle(handle);
    }

    /// <summary>The device the graph runs on.</summary>
    public Device Device { get; }

    /// <summary>Whether <see cref="Capture"/> has recorded the graph.</summary>
    public bool IsCaptured { get; private set; }

    /// <summary>
    /// Runs <paramref name="body"/> on the graph's side stream, after all queued work and before any later work:
    /// warm-up runs there let lazy initialization and cuDNN's choices happen outside the capture.
    /// </summary>
    public void RunOnSideStream(Action body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Between(NativeMethods.mlseg_cuda_graph_enter_side_stream, "cuda_graph_enter_side_stream",
            NativeMethods.mlseg_cuda_graph_exit_side_stream, "cuda_graph_exit_side_stream", body);
    }

    /// <summary>
    /// Records the kernels <paramref name="body"/> launches (on the side stream) instead of running them. The body must
    /// not synchronize with the host: no copies to the CPU, no reading of values, no new CPU tensors sent to the GPU.
    /// Tensors it allocates come from the graph's private memory pool and stay valid for replays.
    /// </summary>
    public void Capture(Action body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (IsCaptured) throw new InvalidOperationException("this CUDA graph has already been captured");
        RunOnSideStream(() => Between(NativeMethods.mlseg_cuda_graph_capture_begin, "cuda_graph_capture_begin",
            NativeMethods.mlseg_cuda_graph_capture_end, "cuda_graph_capture_end", body));
        IsCaptured = true;
    }

    /// <summary>Launches the captured kernels on the current stream.</summary>
    public void Replay()
    {
        if (!IsCaptured) throw new InvalidOperationException("capture the CUDA graph before replaying it");
        NativeStatus.Check(NativeMethods.mlseg_cuda_graph_replay(_handle), "cuda_graph_replay");
    }

    /// <summary>
    /// Runs <paramref name="body"/> between the bridge calls <paramref name="begin"/> and <paramref name="end"/>. When
    /// the body throws, <paramref name="end"/> still runs, so the stream is left as it was, and the body's exception is
    /// the one that surfaces.
    /// </summary>
    private void Between(Func<CudaGraphHandle, int> begin, string beginName, Func<CudaGraphHandle, int> end, string endName, Action body)
    {
        NativeStatus.Check(begin(_handle), beginName);
        try
        {
            body();
        }
        catch
        {
            _ = end(_handle);
            throw;
        }
        NativeStatus.Check(end(_handle), endName);
    }

    /// <summary>Frees the graph and its memory pool.</summary>
    public void Dispose() => _handle.Dispose();
}
