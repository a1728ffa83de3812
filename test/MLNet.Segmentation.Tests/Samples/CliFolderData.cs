using MLNet.Segmentation.Data;
using MLNet.Segmentation.Samples;

namespace MLNet.Segmentation.Tests.Samples;

/// <summary>What the CLI tests share: a small synthetic-shapes folder dataset on disk and a way to run mlseg in-process.</summary>
internal static class CliFolderData
{
    /// <summary>
    /// Writes 12 synthetic-shapes images of 32 x 32 to ROOT/data/images and their class ids to ROOT/data/masks, ROOT a new
    /// temporary folder named after <paramref name="prefix"/>; returns ROOT.
    /// </summary>
    public static string Write(string prefix, int seed)
    {
        string root = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));
        var shapes = new SyntheticShapesDataset(12, 32, 32, seed: seed);
        Directory.CreateDirectory(Path.Combine(root, "data", "images"));
        Directory.CreateDirectory(Path.Combine(root, "data", "masks"));
        for (int i = 0; i < shapes.Count; i++)
        {
            using var sample = shapes.Get(i);
            ImageEncoder.WritePng(Path.Combine(root, "data", "images", $"{i}.png"), sample.Image);
            ImageEncoder.WriteMask(Path.Combine(root, "data", "masks", $"{i}.png"), sample.Mask);
        }
        return root;
    }

    /// <summary>Runs mlseg with <paramref name="args"/>, returning its exit code, standard output and standard error.</summary>
    public static async Task<(int Exit, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await CommandLine.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
