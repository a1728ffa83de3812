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
/// normalization, library version) and "weights.safetensors". Written atomically. Loading checks everything before it
/// allocates anything large (see <see cref="ModelFileLimits"/> for what a hostile file can cost): the entries' declared
/// sizes, the manifest (<see cref="ModelManifest.Validate"/>), the architecture options (<see cref="ArchitectureLimits"/>),
/// and the weights' names, shapes and dtypes against the architecture before the network is built; the weights are then
/// streamed into the network and must be finite. Every problem with a file's content is an
/// <see cref="InvalidDataException"/> with a one-line message that names the file and the entry or field; a missing file
/// is a <see cref="FileNotFoundException"/>.
/// </summary>
public static partial class SegmentationModelFile
{
    /// <summary>Name of the manifest entry.</summary>
    public const string ManifestEntry = "manifest.json";

    /// <summary>Name of the weights entry.</summary>
    public const string WeightsEntry = "weights.safetensors";

    /// <summary>
    /// Saves <paramref name="model"/> with the description in <paramref name="manifest"/> (its architecture, options and
    /// class count are taken from the model). The manifest and options are checked as <see cref="Load"/> checks them, so a
    /// file that could not be loaded is never written.
    /// </summary>
    public static void Save(string path, SegmentationModel model, ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(manifest);
        Nn.BatchNormFusion.ThrowIfFolded(model, $"save the model to {path}");
        var (key, options) = ArchitectureRegistry.Describe(model);
        var complete = manifest with { Architecture = key, Options = options, NumClasses = (int)model.NumClasses, InChannels = (int)model.InChannels };
        complete.Validate();
        ArchitectureRegistry.Plan(complete.Architecture, complete.NumClasses, complete.InChannels, complete.Options);

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

    /// <summary>Reads only the manifest of a model file, checked with its architecture options.</summary>
    public static ModelManifest ReadManifest(string path)
    {
        using var entries = ModelFileEntries.Open(path);
        return ReadManifest(path, entries.Manifest).Manifest;
    }

    /// <summary>Loads a model file: checks it whole, rebuilds the architecture from the manifest and streams the weights in.</summary>
    public static LoadedModel Load(string path)
    {
        using var entries = ModelFileEntries.Open(path);
        var (manifest, options, expected) = ReadManifest(path, entries.Manifest);
        using var weights = ModelFileEntries.OpenEntry(path, entries.Weights);
        var header = Guard(path, WeightsEntry, () => ModelWeightsLoader.ReadHeader(weights, entries.Weights.Length, expected, manifest.Architecture));

        SegmentationModel model;
        try
        {
            model = ArchitectureRegistry.Create(manifest.Architecture, manifest.NumClasses, options);
        }
        catch (ArgumentException e)
        {
            throw Bad(path, $"{ManifestEntry}: the options cannot be built ({FirstLine(e.Message)})", e);
        }
        try
        {
            Guard(path, WeightsEntry, () =>
            {
                ModelWeightsLoader.Stream(weights, header, model);
                return true;
            });
            model.eval();
            return new LoadedModel(model, manifest);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static (ModelManifest Manifest, object Options, ExpectedStateDict Expected) ReadManifest(string path, ZipArchiveEntry entry)
    {
        var bytes = ModelFileEntries.ReadAll(path, entry, ModelFileLimits.MaxManifestBytes);
        return Guard(path, ManifestEntry, () =>
        {
            ModelManifest manifest;
            try
            {
                manifest = JsonSerializer.Deserialize<ModelManifest>(bytes, ArchitectureRegistry.JsonOptions)
                    ?? throw new InvalidDataException("the manifest is empty");
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"not valid JSON of a model manifest ({e.Message})", e);
            }
            manifest.Validate();
            var (options, expected) = ArchitectureRegistry.Plan(manifest.Architecture, manifest.NumClasses, manifest.InChannels, manifest.Options);
            return (manifest, options, expected);
        });
    }

    // Runs a step whose content errors become one-line InvalidDataExceptions naming the file and the entry.
    private static T Guard<T>(string path, string entry, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (Exception e) when (IsContentError(e) && !IsReported(e, path))
        {
            string message = FirstLine(e.Message);
            if (message.StartsWith("safetensors: ", StringComparison.Ordinal)) message = message["safetensors: ".Length..];
            throw Bad(path, $"{entry}: {message}", e);
        }
    }

    /// <summary>Exceptions that a corrupt or hostile file's content raises in the readers (zip, JSON, safetensors).</summary>
    internal static bool IsContentError(Exception e) =>
        e is InvalidDataException or IOException or NotSupportedException or ArgumentException or OverflowException or FormatException
            or JsonException or InvalidOperationException
        && e is not (FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or ObjectDisposedException);

    /// <summary>Whether <paramref name="e"/> is already one of ours about <paramref name="path"/>.</summary>
    internal static bool IsReported(Exception e, string path) =>
        e is InvalidDataException && e.Message.StartsWith($"model file '{path}'", StringComparison.Ordinal);

    /// <summary>The one-line error about the content of model file <paramref name="path"/>.</summary>
    internal static InvalidDataException Bad(string path, string problem, Exception? inner = null) =>
        new(MessageText.OneLine($"model file '{path}': {problem}"), inner);

    // .NET's argument exceptions append "(Parameter 'x')" and "Actual value was ..." on further lines.
    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
