using System.IO.Compression;

namespace MLNet.Segmentation.ModelFiles;

/// <summary>
/// Opens a model file's zip and finds its two entries, checking every entry's name and declared sizes (against
/// <see cref="ModelFileLimits"/> and the file's length) before any is read.
/// </summary>
internal sealed class ModelFileEntries : IDisposable
{
    private readonly ZipArchive _zip;

    private ModelFileEntries(ZipArchive zip, ZipArchiveEntry manifest, ZipArchiveEntry weights)
    {
        _zip = zip;
        Manifest = manifest;
        Weights = weights;
    }

    internal ZipArchiveEntry Manifest { get; }

    internal ZipArchiveEntry Weights { get; }

    public void Dispose() => _zip.Dispose();

    /// <summary>Opens <paramref name="path"/>; problems with the content throw <see cref="InvalidDataException"/> naming the file.</summary>
    internal static ModelFileEntries Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw SegmentationModelFile.Bad(path, "is a directory, not a model file");
        var file = new FileInfo(path);
        if (!file.Exists) throw new FileNotFoundException($"model file '{path}' does not exist", path);
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(path);
        }
        catch (Exception e) when (SegmentationModelFile.IsContentError(e))
        {
            throw SegmentationModelFile.Bad(path, $"not a readable zip ({e.Message})", e);
        }
        try
        {
            var (manifest, weights) = Find(path, zip, file.Length);
            return new ModelFileEntries(zip, manifest, weights);
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    private static (ZipArchiveEntry Manifest, ZipArchiveEntry Weights) Find(string path, ZipArchive zip, long fileLength)
    {
        ZipArchiveEntry? manifest = null, weights = null;
        IReadOnlyCollection<ZipArchiveEntry> entries;
        try
        {
            entries = zip.Entries;
        }
        catch (Exception e) when (SegmentationModelFile.IsContentError(e))
        {
            throw SegmentationModelFile.Bad(path, $"not a readable zip ({e.Message})", e);
        }
        foreach (var entry in entries)
        {
            string name = entry.FullName;
            if (name == SegmentationModelFile.ManifestEntry && manifest is null) manifest = entry;
            else if (name == SegmentationModelFile.WeightsEntry && weights is null) weights = entry;
            else if (name.Contains("..", StringComparison.Ordinal) || name.StartsWith('/') || name.Contains('\\') || name.Contains(':'))
                throw SegmentationModelFile.Bad(path, $"entry {MessageText.Quote(name)} is a path-traversal attempt");
            else
                throw SegmentationModelFile.Bad(path,
                    $"unexpected entry {MessageText.Quote(name)} (a model file holds only {SegmentationModelFile.ManifestEntry} and {SegmentationModelFile.WeightsEntry}, once each)");
        }
        if (manifest is null) throw SegmentationModelFile.Bad(path, $"no {SegmentationModelFile.ManifestEntry}");
        if (weights is null) throw SegmentationModelFile.Bad(path, $"no {SegmentationModelFile.WeightsEntry}");
        CheckSizes(path, manifest, ModelFileLimits.MaxManifestBytes, fileLength);
        CheckSizes(path, weights, ModelFileLimits.MaxWeightsBytes, fileLength);
        return (manifest, weights);
    }

    private static void CheckSizes(string path, ZipArchiveEntry entry, long limit, long fileLength)
    {
        long compressed = entry.CompressedLength, length = entry.Length;
        string name = entry.FullName;
        if (compressed < 0 || compressed > fileLength)
            throw SegmentationModelFile.Bad(path, $"entry {name} declares {compressed} compressed bytes in a file of {fileLength} bytes");
        if (length < 0 || length > limit)
            throw SegmentationModelFile.Bad(path, $"entry {name} declares {length} bytes, more than the limit of {limit}");
        if (length > ModelFileLimits.MaxCompressionRatio * compressed + ModelFileLimits.CompressionSlackBytes)
            throw SegmentationModelFile.Bad(path,
                $"entry {name} declares {length} bytes from {compressed} compressed bytes, a ratio above {ModelFileLimits.MaxCompressionRatio}:1 (zip bomb?)");
    }

    /// <summary>Opens an entry for reading; problems with the content throw <see cref="InvalidDataException"/> naming file and entry.</summary>
    internal static Stream OpenEntry(string path, ZipArchiveEntry entry)
    {
        try
        {
            return entry.Open();
        }
        catch (Exception e) when (SegmentationModelFile.IsContentError(e))
        {
            throw SegmentationModelFile.Bad(path, $"entry {entry.FullName} cannot be opened ({e.Message})", e);
        }
    }

    /// <summary>All bytes of an entry, refusing to read past <paramref name="limit"/> whatever the entry declares.</summary>
    internal static byte[] ReadAll(string path, ZipArchiveEntry entry, long limit)
    {
        using var stream = OpenEntry(path, entry);
        var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        try
        {
            int read;
            while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (buffer.Length + read > limit)
                    throw SegmentationModelFile.Bad(path, $"entry {entry.FullName} inflates to more than the limit of {limit} bytes");
                buffer.Write(chunk, 0, read);
            }
        }
        catch (Exception e) when (SegmentationModelFile.IsContentError(e) && !SegmentationModelFile.IsReported(e, path))
        {
            throw SegmentationModelFile.Bad(path, $"entry {entry.FullName} is corrupt ({e.Message})", e);
        }
        return buffer.ToArray();
    }
}
