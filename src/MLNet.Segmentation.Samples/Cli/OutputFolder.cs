namespace MLNet.Segmentation.Samples.Cli;

/// <summary>
/// Checks an output folder before a command spends time: it can be created and written, and none of the files and
/// folders the command will write there is blocked by something of the other kind (a folder named report.html).
/// </summary>
public static class OutputFolder
{
    /// <summary>The files and subfolders train and demo write into their output folder.</summary>
    public static readonly (string[] Files, string[] Folders) TrainingOutputs =
        (["model.mlseg.zip", "report.html", "metrics.json"], ["checkpoints", "predictions", "overlays"]);

    /// <summary>
    /// Creates <paramref name="folder"/> (given as <paramref name="option"/>) when missing and checks that it takes
    /// files; throws an <see cref="IOException"/> with one line naming the option and path otherwise.
    /// </summary>
    public static string Prepare(string option, string folder, IEnumerable<string>? files = null, IEnumerable<string>? folders = null)
    {
        string full = Path.GetFullPath(folder);
        if (File.Exists(full)) throw new IOException($"{option} {full}: is a file, not a folder");
        string probe = Path.Combine(full, $".mlseg-write-check-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(full);
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{option} {full}: cannot write there ({FirstLine(e.Message)})", e);
        }
        foreach (string name in files ?? [])
            if (Directory.Exists(Path.Combine(full, name)))
                throw new IOException($"{option} {full}: {name} is a folder, where this command writes a file; move it or choose another {option}");
        foreach (string name in folders ?? [])
            if (File.Exists(Path.Combine(full, name)))
                throw new IOException($"{option} {full}: {name} is a file, where this command writes a folder; move it or choose another {option}");
        return full;
    }

    private static string FirstLine(string text) => text.Split(['\r', '\n'], 2)[0].TrimEnd('.');
}
