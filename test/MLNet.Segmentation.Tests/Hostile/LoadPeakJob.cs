using MLNet.Segmentation.ModelFiles;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Hostile;

/// <summary>
/// A fresh process that loads one model file and prints how far its peak resident memory rose: in the test host,
/// memory freed by earlier tests is reused without raising the peak, which would hide a whole-entry buffer.
/// </summary>
internal static class LoadPeakJob
{
    public const string Job = "hostile-load-peak";

    public static int Run(string path)
    {
        // Start libtorch and the zip and JSON code on a tiny file first, so only the load itself is measured.
        MLNet.Segmentation.Engine.TorchRuntime.EnsureInitialized();
        string dir = Path.GetDirectoryName(path)!;
        string warm = ModelFileParts.TinyUNet(dir).Write(Path.Combine(dir, "warm-" + Guid.NewGuid().ToString("N") + ".zip"));
        SegmentationModelFile.Load(warm).Dispose();
        File.Delete(warm);
        using (no_grad()) ones(1).Dispose();

        var memory = PeakMemory.Start();
        using var loaded = SegmentationModelFile.Load(path);
        Console.WriteLine(memory.GrowthBytes);
        return 0;
    }
}
