using System.IO.Compression;
using System.Text.Json;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Weights;

namespace MLNet.Segmentation.ModelFiles;

/// <summary>A trained network and its description, as loaded from a model file.</summary>
public sealed class LoadedModel(SegmentationModel model, ModelManifest manifest) : IDisposable
{
    /// <summary>The network, in eval mode, with the file's weights.</summary>
    public SegmentationModel Model { get; } = model;

    /// <summary>The file's manifest.</summary>
    public ModelManifest Manifest { get; } = manifest;

    /// <summary>Frees the network.</summary>
    public void Dispose() => Model.Dispose();
}

/// <summary>
/// The model file: one zip holding exactly "manifest.json" (architecture and options, classes, colours, ignore id,
/// normalization, library version) and "weights.safetensors". Written atomically; loading validates everything and
/// reports problems as <see cref="InvalidDataException"/> naming the file.
/// </summary>
public static class SegmentationModelFile
{
    /// <summary>Name of the manifest entry.</summary>
    public const string ManifestEntry = "manifest.json";

    /// <summary>Name of the weights entry.</summary>
    public const string WeightsEntry = "weights.safetensors";

    private const long MaxManifestBytes = 1 << 20;
    private const long MaxWeightsBytes = 8L << 30;

    /// <summary>
    /// Saves <paramref name="model"/> with the description in <paramref name="manifest"/> (its architecture, options and
    /// class count are taken from the model).
    /// </summary>
    public static void Save(string path, SegmentationModel model, ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(manifest);
        var (key, options) = ArchitectureRegistry.Describe(model);
        var complete = manifest with { Architecture = key, Options = options, NumClasses = (int)model.NumClasses, InChannels = (int)model.InChannels };
        complete.Validate();

        IO.AtomicFile.Write(path, file =>
        {
            using var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true);
            using (var stream = zip.CreateEntry(ManifestEntry, CompressionLevel.Optimal).Open())
                JsonSerializer.Serialize(stream, complete, ArchitectureRegistry.JsonOptions);
            using var weights = zip.CreateEntry(WeightsEntry, CompressionLevel.Fastest).Open();
            using var state = model.StateDictOf();
            SafeTensors.Write(weights, state);
        });
    }

    /// <summary>Reads only the manifest of a model file (validated).</summary>
    public static ModelManifest ReadManifest(string path)
    {
        using var zip = OpenZip(path);
        return ReadManifest(path, RequireEntries(path, zip).Manifest);
    }

    /// <summary>Loads a model file: rebuilds the architecture from the manifest and loads the weights strictly.</summary>
    public static LoadedModel Load(string path)
    {
        using var zip = OpenZip(path);
        var (manifestEntry, weightsEntry) = RequireEntries(path, zip);
        var manifest = ReadManifest(path, manifestEntry);
        if (weightsEntry.Length > MaxWeightsBytes) throw Bad(path, $"the weights entry declares {weightsEntry.Length} bytes");

        SegmentationModel model;
        try
        {
            model = ArchitectureRegistry.Create(manifest.Architecture, manifest.NumClasses, manifest.Options);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            throw Bad(path, e.Message, e);
        }
        try
        {
            if (model.InChannels != manifest.InChannels)
                throw Bad(path, $"the options give {model.InChannels} input channels but the manifest says {manifest.InChannels}");
            using var buffer = new MemoryStream(checked((int)Math.Min(weightsEntry.Length, int.MaxValue)));
            using (var stream = weightsEntry.Open()) stream.CopyTo(buffer);
            buffer.Position = 0;
            using var state = SafeTensors.Read(buffer);
            model.Load(state, strict: true);
            model.eval();
            return new LoadedModel(model, manifest);
        }
        catch (Exception e) when (e is StateDictMismatchException or InvalidDataException)
        {
            model.Dispose();
            throw e is InvalidDataException ide && ide.Message.StartsWith($"model file '{path}'", StringComparison.Ordinal)
                ? ide
                : Bad(path, e.Message, e);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static ZipArchive OpenZip(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"model file '{path}' does not exist", path);
        try
        {
            return ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw Bad(path, $"not a readable zip ({e.Message})", e);
        }
    }

    private static (ZipArchiveEntry Manifest, ZipArchiveEntry Weights) RequireEntries(string path, ZipArchive zip)
    {
        ZipArchiveEntry? manifest = null, weights = null;
        foreach (var entry in zip.Entries)
        {
            string name = entry.FullName;
            if (name == ManifestEntry && manifest is null) manifest = entry;
            else if (name == WeightsEntry && weights is null) weights = entry;
            else if (name.Contains("..", StringComparison.Ordinal) || name.StartsWith('/') || name.Contains('\\') || name.Contains(':'))
                throw Bad(path, $"entry '{name}' is a path-traversal attempt");
            else throw Bad(path, $"unexpected entry '{name}' (a model file holds only {ManifestEntry} and {WeightsEntry}, once each)");
        }
        if (manifest is null) throw Bad(path, $"no {ManifestEntry}");
        if (weights is null) throw Bad(path, $"no {WeightsEntry}");
        return (manifest, weights);
    }

    private static ModelManifest ReadManifest(string path, ZipArchiveEntry entry)
    {
        if (entry.Length > MaxManifestBytes) throw Bad(path, $"the manifest declares {entry.Length} bytes");
        try
        {
            using var stream = entry.Open();
            var manifest = JsonSerializer.Deserialize<ModelManifest>(stream, ArchitectureRegistry.JsonOptions)
                ?? throw Bad(path, "the manifest is empty");
            manifest.Validate();
            return manifest;
        }
        catch (JsonException e)
        {
            throw Bad(path, $"the manifest is not valid JSON of a model manifest ({e.Message})", e);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("model file", StringComparison.Ordinal))
        {
            throw Bad(path, e.Message, e);
        }
    }

    private static InvalidDataException Bad(string path, string problem, Exception? inner = null) =>
        new($"model file '{path}': {problem}", inner);
}
