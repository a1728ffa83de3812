namespace MLNet.Segmentation.Data;

public sealed partial class PairedFileDataset
{
    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg"];

    /// <summary>
    /// Pairs the images of <paramref name="imageFolder"/> with the masks of <paramref name="maskFolder"/> by file
    /// stem (a mask's stem is the image stem plus <paramref name="maskSuffix"/>, e.g. "_L" or "_mask").
    /// An image without a mask or a mask without an image throws <see cref="InvalidDataException"/> naming them.
    /// Samples are ordered by stem, numerically when stems are numbers.
    /// </summary>
    public static PairedFileDataset FromFolders(string imageFolder, string maskFolder, DatasetDescription description, string maskSuffix = "")
    {
        var images = StemIndex(imageFolder, "");
        var masks = StemIndex(maskFolder, maskSuffix);
        var missingMasks = images.Keys.Where(stem => !masks.ContainsKey(stem)).Select(stem => images[stem]).ToList();
        var missingImages = masks.Keys.Where(stem => !images.ContainsKey(stem)).Select(stem => masks[stem]).ToList();
        if (missingMasks.Count > 0)
            throw new InvalidDataException($"{missingMasks.Count} image(s) have no mask in {maskFolder}: {Preview(missingMasks)}");
        if (missingImages.Count > 0)
            throw new InvalidDataException($"{missingImages.Count} mask(s) have no image in {imageFolder}: {Preview(missingImages)}");
        if (images.Count == 0) throw new InvalidDataException($"{imageFolder}: no PNG or JPEG images found");
        var pairs = images.Keys.Order(NaturalComparer.Instance).Select(stem => new SamplePaths(stem, images[stem], masks[stem]));
        return new PairedFileDataset(pairs, description);
    }

    /// <summary>
    /// Reads a list file with one "image mask" pair per line (blank lines and lines starting with # skipped).
    /// Relative paths are resolved against <paramref name="root"/> (default: the list file's folder).
    /// A malformed line or a missing file throws <see cref="InvalidDataException"/> naming the list file and line.
    /// </summary>
    public static PairedFileDataset FromListFile(string listPath, DatasetDescription description, string? root = null)
    {
        if (!File.Exists(listPath)) throw new FileNotFoundException($"{listPath}: list file not found", listPath);
        string baseFolder = root ?? Path.GetDirectoryName(Path.GetFullPath(listPath))!;
        var pairs = new List<SamplePaths>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(listPath))
        {
            lineNumber++;
            string text = line.Trim();
            if (text.Length == 0 || text.StartsWith('#')) continue;
            var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
                throw new InvalidDataException($"{listPath}:{lineNumber}: expected \"image mask\", found {parts.Length} field(s): '{text}'");
            string image = Path.Combine(baseFolder, parts[0]);
            string mask = Path.Combine(baseFolder, parts[1]);
            if (!File.Exists(image)) throw new InvalidDataException($"{listPath}:{lineNumber}: image file {image} does not exist");
            if (!File.Exists(mask)) throw new InvalidDataException($"{listPath}:{lineNumber}: mask file {mask} does not exist");
            pairs.Add(new SamplePaths(Path.GetFileNameWithoutExtension(image), image, mask));
        }
        if (pairs.Count == 0) throw new InvalidDataException($"{listPath}: the list has no samples");
        return new PairedFileDataset(pairs, description);
    }

    /// <summary>
    /// A Pascal VOC tree: the ids of ImageSets/Segmentation/<paramref name="split"/>.txt with images in
    /// JPEGImages/ID.jpg and palette masks in SegmentationClass/ID.png.
    /// </summary>
    public static PairedFileDataset FromVoc(string root, string split = "train", DatasetDescription? description = null)
    {
        string listPath = Path.Combine(root, "ImageSets", "Segmentation", split + ".txt");
        if (!File.Exists(listPath)) throw new FileNotFoundException($"{listPath}: VOC split list not found", listPath);
        var pairs = new List<SamplePaths>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(listPath))
        {
            lineNumber++;
            string id = line.Trim();
            if (id.Length == 0) continue;
            string image = Path.Combine(root, "JPEGImages", id + ".jpg");
            string mask = Path.Combine(root, "SegmentationClass", id + ".png");
            if (!File.Exists(image)) throw new InvalidDataException($"{listPath}:{lineNumber}: image file {image} does not exist");
            if (!File.Exists(mask)) throw new InvalidDataException($"{listPath}:{lineNumber}: mask file {mask} does not exist");
            pairs.Add(new SamplePaths(id, image, mask));
        }
        return new PairedFileDataset(pairs, description ?? DatasetDescription.PascalVoc);
    }

    private static Dictionary<string, string> StemIndex(string folder, string suffix)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: folder not found");
        var index = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(folder))
        {
            if (!ImageExtensions.Contains(Path.GetExtension(file).ToLowerInvariant())) continue;
            string stem = Path.GetFileNameWithoutExtension(file);
            if (suffix.Length > 0)
            {
                if (!stem.EndsWith(suffix, StringComparison.Ordinal)) continue;
                stem = stem[..^suffix.Length];
            }
            if (!index.TryAdd(stem, file))
                throw new InvalidDataException($"{folder}: two files share the stem '{stem}': {index[stem]} and {file}");
        }
        return index;
    }

    private static string Preview(List<string> files) =>
        string.Join(", ", files.Order(StringComparer.Ordinal).Take(5)) + (files.Count > 5 ? ", ..." : "");

    /// <summary>Orders "2" before "10"; other names ordinally.</summary>
    private sealed class NaturalComparer : IComparer<string>
    {
        public static readonly NaturalComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            if (long.TryParse(x, out long a) && long.TryParse(y, out long b)) return a.CompareTo(b);
            return string.CompareOrdinal(x, y);
        }
    }
}
