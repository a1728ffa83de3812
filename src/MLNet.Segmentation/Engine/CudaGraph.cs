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
        if (device.Type != DeviceType.Cuda) throw new ArgumentException($"CUDA graphs need a CUDA device, got {device}", nameof(device));
        LibTorch.EnsureInitialized();
        Device = device;
        NativeStatus.Check(NativeMethods.mlseg_cuda_graph_new(Math.Max(device.Index, 0), out IntPtr handle), "cuda_graph_new");
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
        NativeStatus.Check(NativeMethods.mlseg_cuda_graph_enter_side_stream(_handle), "cuda_graph_enter_side_stream");
        try
        {
            body();
        }
        catch
        {
            _ = NativeMethods.mlseg_cuda_graph_exit_side_stream(_handle);
            throw;
        }
        NativeStatus.Check(NativeMethods.mlseg_cuda_graph_exit_side_stream(_handle), "cuda_graph_exit_side_stream");
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
        RunOnSideStream(() =>
        {
            NativeStatus.Check(NativeMethods.mlseg_cuda_graph_capture_begin(_handle), "cuda_graph_capture_begin");
            try
            {
                body();
            }
            catch
            {
                _ = NativeMethods.mlseg_cuda_graph_capture_end(_handle);
                throw;
            }
            NativeStatus.Check(NativeMethods.mlseg_cuda_graph_capture_end(_handle), "cuda_graph_capture_end");
        });
        IsCaptured = true;
    }

    /// <summary>Launches the captured kernels on the current stream.</summary>
    public void Replay()
    {
        if (!IsCaptured) throw new InvalidOperationException("capture the CUDA graph before replaying it");
        NativeStatus.Check(NativeMethods.mlseg_cuda_graph_replay(_handle), "cuda_graph_replay");
    }

    /// <summary>Frees the graph and its memory pool.</summary>
    public void Dispose() => _handle.Dispose();
}
