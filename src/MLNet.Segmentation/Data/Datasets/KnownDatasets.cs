namespace MLNet.Segmentation.Data;

/// <summary>Splits of the ISBI 2012 membrane data (30 labelled slices; no public test labels).</summary>
public enum MembraneSplit
{
    /// <summary>All 30 slices.</summary>
    All,
    /// <summary>Slices 0..24.</summary>
    Train,
    /// <summary>Slices 25..29.</summary>
    Validation,
}

/// <summary>Splits of CamVid as stored in shared/datasets (the test split is kept elsewhere on purpose).</summary>
public enum CamVidSplit
{
    /// <summary>367 training images (train/, trainannot/).</summary>
    Train,
    /// <summary>101 validation images (val/, valannot/).</summary>
    Validation,
}

/// <summary>
/// Readers for the datasets in the shared datasets folder (see its README.md): found through the
/// MLSEG_DATASETS environment variable, or as a "shared/datasets" folder beside the repository (searched
/// upward from the application's folder and the current directory).
/// </summary>
public static class KnownDatasets
{
    /// <summary>Environment variable naming the datasets folder (the one holding membrane/ and camvid/).</summary>
    public const string EnvironmentVariable = "MLSEG_DATASETS";

    /// <summary>The shared datasets folder, or null when it cannot be found.</summary>
    public static string? FindRoot()
    {
        string? configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured)) return Directory.Exists(configured) ? Path.GetFullPath(configured) : null;
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                string candidate = Path.Combine(folder.FullName, "shared", "datasets");
                if (Directory.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

    /// <summary>The folder of one dataset (e.g. "camvid"), or null when it is absent.</summary>
    public static string? FindDataset(string name)
    {
        string? root = FindRoot();
        if (root is null) return null;
        string folder = Path.Combine(root, name);
        return Directory.Exists(folder) ? folder : null;
    }

    /// <summary>
    /// ISBI 2012 membrane from <paramref name="folder"/> (default: the shared copy): gray images and 0/255
    /// masks mapped to {0 membrane, 1 cell}.
    /// </summary>
    public static PairedFileDataset Membrane(MembraneSplit split = MembraneSplit.All, string? folder = null)
    {
        folder ??= Require("membrane");
        var all = PairedFileDataset.FromFolders(Path.Combine(folder, "train", "image"), Path.Combine(folder, "train", "label"),
            DatasetDescription.Membrane);
        int trainCount = all.Count * 5 / 6;
        return split switch
        {
            MembraneSplit.All => all,
            MembraneSplit.Train => all.Subset(Enumerable.Range(0, trainCount)),
            MembraneSplit.Validation => all.Subset(Enumerable.Range(trainCount, all.Count - trainCount)),
            _ => throw new ArgumentOutOfRangeException(nameof(split), split, "unknown split"),
        };
    }

    /// <summary>CamVid (SegNet's version) from <paramref name="folder"/> (default: the shared copy): RGB images, class-id masks, ignore id 11.</summary>
    public static PairedFileDataset CamVid(CamVidSplit split = CamVidSplit.Train, string? folder = null)
    {
        folder ??= Require("camvid");
        (string images, string masks) = split switch
        {
            CamVidSplit.Train => ("train", "trainannot"),
            CamVidSplit.Validation => ("val", "valannot"),
            _ => throw new ArgumentOutOfRangeException(nameof(split), split, "unknown split"),
        };
        return PairedFileDataset.FromFolders(Path.Combine(folder, images), Path.Combine(folder, masks), DatasetDescription.CamVid);
    }

    private static string Require(string name) =>
        FindDataset(name) ?? throw new DirectoryNotFoundException(
            $"dataset '{name}' not found: set {EnvironmentVariable} to the datasets folder or place it at ../shared/datasets/{name}");
}
