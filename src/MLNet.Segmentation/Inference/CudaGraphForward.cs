using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Inference;

/// <summary>
/// Runs a forward function through CUDA graphs, one per input shape (with dtype and layout): the first call with a
/// shape warms the function up and captures it on a static copy of the input; later calls copy the input into that
/// copy, replay, and return a copy of the static output. For fixed-shape inference, where launching hundreds of small
/// kernels one by one costs more than the kernels. The function must be free of host synchronization (see
/// <see cref="CudaGraph.Capture"/>) and must not depend on the input's values beyond the arithmetic (no data-dependent
/// shapes or branches). Calls are serialized; beyond <see cref="MaxGraphs"/> shapes, new shapes run eagerly.
/// </summary>
public sealed class CudaGraphForward : IDisposable
{
    private readonly Func<Tensor, Tensor> _forward;
    private readonly Dictionary<string, CapturedForward> _graphs = new();
    private readonly object _gate = new();
    private bool _disposed;

    /// <summary>Wraps <paramref name="forward"/> for inputs on the CUDA <paramref name="device"/>.</summary>
    public CudaGraphForward(Func<Tensor, Tensor> forward, Device device, int warmupRuns = 3, int maxGraphs = 8)
    {
        _forward = forward ?? throw new ArgumentNullException(nameof(forward));
        _ = device.CudaIndexFor("CUDA graphs", nameof(device));
        ArgumentOutOfRangeException.ThrowIfNegative(warmupRuns);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxGraphs, 1);
        Device = device;
        WarmupRuns = warmupRuns;
        MaxGraphs = maxGraphs;
    }

    /// <summary>The device the inputs and graphs live on.</summary>
    public Device Device { get; }

    /// <summary>Eager runs on the side stream before each capture.</summary>
    public int WarmupRuns { get; }

    /// <summary>The most input shapes given a graph.</summary>
    public int MaxGraphs { get; }

    /// <summary>The number of captured graphs.</summary>
    public int GraphCount
    {
        get
        {
            lock (_gate) return _graphs.Count;
        }
    }

    /// <summary>The forward's output for <paramref name="input"/> (a new tensor, in the current dispose scope).</summary>
    public Tensor Run(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Device.Type != DeviceType.Cuda || Math.Max(input.Device.Index, 0) != Math.Max(Device.Index, 0))
            throw new ArgumentException($"the input is on {input.Device}, the CUDA graphs on {Device}", nameof(input));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            string key = KeyOf(input);
            if (!_graphs.TryGetValue(key, out var captured))
            {
                if (_graphs.Count >= MaxGraphs) return _forward(input);
                captured = CapturedForward.Capture(_forward, input, Device, WarmupRuns);
                _graphs.Add(key, captured);
            }
            captured.Input.CopyFrom(input);
            captured.Graph.Replay();
            return captured.Output.Clone();
        }
    }

    /// <summary>Frees every graph and its static tensors.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var captured in _graphs.Values) captured.Dispose();
            _graphs.Clear();
        }
    }

    private static string KeyOf(Tensor input) =>
        $"{input.ShapeString}|{input.DType}|{(input.IsChannelsLastOnly() ? "channels_last" : input.IsContiguous(MemoryFormat.Contiguous) ? "contiguous" : "strided")}";

    private sealed class CapturedForward(CudaGraph graph, Tensor input, Tensor output) : IDisposable
    {
        public CudaGraph Graph { get; } = graph;
        public Tensor Input { get; } = input;
        public Tensor Output { get; } = output;

        public static CapturedForward Capture(Func<Tensor, Tensor> forward, Tensor example, Device device, int warmupRuns)
        {
            var input = example.Clone().DetachFromDisposeScope();
            var graph = new CudaGraph(device);
            try
            {
                graph.RunOnSideStream(() =>
                {
                    for (int i = 0; i < warmupRuns; i++)
                    {
                        using var scope = DisposeScope.Enter();
                        forward(input);
                    }
                });
                Tensor? output = null;
                graph.Capture(() =>
                {
                    using var scope = DisposeScope.Enter();
                    output = forward(input).DetachFromDisposeScope();
                });
                return new CapturedForward(graph, input, output!);
            }
            catch
            {
                graph.Dispose();
                input.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            Output.Dispose();
            Input.Dispose();
            Graph.Dispose();
        }
    }
}
