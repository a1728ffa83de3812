using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>`mlseg info`: the engine's libtorch version, CUDA devices and CPU threads.</summary>
public sealed class InfoCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "info";

    /// <inheritdoc />
    public string Summary => "libtorch version, CUDA availability, device count and threads";

    /// <inheritdoc />
    public Task<int> RunAsync(string[] args, TextWriter output)
    {
        if (args.Length > 0) throw new UsageException($"info takes no arguments, got '{args[0]}'");
        output.WriteLine($"MLNet.Segmentation {typeof(Tensor).Assembly.GetName().Version?.ToString(3)}");
        output.WriteLine($"libtorch version:  {LibTorch.Version}");
        output.WriteLine($"CUDA available:    {(LibTorch.CudaIsAvailable ? "yes" : "no")}");
        output.WriteLine($"CUDA devices:      {LibTorch.CudaDeviceCount}");
        output.WriteLine($"CUDA in bridge:    {(LibTorch.CudaBridgeCompiled ? "yes (CUDA graphs, CUDA memory statistics)" : "no (built against a CPU-only libtorch)")}");
        output.WriteLine($"CPU threads:       {LibTorch.Threads} (processors: {Environment.ProcessorCount})");
        output.WriteLine($"default device:    {LibTorch.DefaultDevice}");
        return Task.FromResult(0);
    }
}
