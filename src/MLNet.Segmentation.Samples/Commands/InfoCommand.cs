using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Samples.Cli;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>`mlseg info`: the TorchSharp and libtorch versions, CUDA devices and CPU threads.</summary>
public sealed class InfoCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "info";

    /// <inheritdoc />
    public string Summary => "TorchSharp and libtorch versions, CUDA availability, device count and threads";

    /// <inheritdoc />
    public IReadOnlyList<CommandOption> Options { get; } = [];

    /// <inheritdoc />
    public Task<int> RunAsync(Arguments a, TextWriter output, CancellationToken cancellation)
    {
        // build/gpu/bench.sh greps "CUDA available:    yes": keep that line's format.
        output.WriteLine($"MLNet.Segmentation {typeof(TorchRuntime).Assembly.GetName().Version?.ToString(3)}");
        output.WriteLine($"TorchSharp:        {TorchRuntime.TorchSharpVersion}");
        output.WriteLine($"libtorch version:  {TorchRuntime.LibTorchVersion}");
        output.WriteLine($"CUDA available:    {(TorchRuntime.CudaIsAvailable ? "yes" : "no")}");
        output.WriteLine($"CUDA devices:      {TorchRuntime.CudaDeviceCount}");
        output.WriteLine($"CPU threads:       {TorchRuntime.Threads} (processors: {Environment.ProcessorCount})");
        output.WriteLine($"default device:    {Devices.Name(Devices.Parse("auto"))}");
        output.WriteLine($"CPU memory:        {CpuMemory.Describe()}");
        return Task.FromResult(0);
    }
}
