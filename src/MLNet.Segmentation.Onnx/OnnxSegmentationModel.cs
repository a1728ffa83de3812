using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MLNet.Segmentation.ModelFiles;

namespace MLNet.Segmentation.Onnx;

/// <summary>
/// An ONNX file exported by MLNet.Segmentation, open in an ONNX Runtime session (CPU, full graph optimization): input
/// <see cref="InputName"/> (N x C x H x W float32 in [0, 1], normalized inside the graph), output <see cref="LogitsName"/>
/// (N x K x H x W) and the manifest from the file's metadata. <see cref="RunLogits"/> may be called from several threads.
/// </summary>
public sealed class OnnxSegmentationModel : IDisposable
{
    /// <summary>The graph's image input.</summary>
    public const string InputName = "image";

    /// <summary>The graph's logits output.</summary>
    public const string LogitsName = "logits";

    /// <summary>The graph's class-id output (arg-max of the logits).</summary>
    public const string ClassIdsName = "class_ids";

    /// <summary>The metadata key that holds the model file's manifest (JSON).</summary>
    public const string ManifestKey = "mlseg.manifest";

    private readonly InferenceSession _session;

    private OnnxSegmentationModel(string path, InferenceSession session, ModelManifest manifest, int? height, int? width)
    {
        Path = path;
        _session = session;
        Manifest = manifest;
        (FixedHeight, FixedWidth) = (height, width);
    }

    /// <summary>The file it was opened from.</summary>
    public string Path { get; }

    /// <summary>Classes, colours, ignore id and normalization of the exported network.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The input height the graph was exported for, or null when it takes any height.</summary>
    public int? FixedHeight { get; }

    /// <summary>The input width the graph was exported for, or null when it takes any width.</summary>
    public int? FixedWidth { get; }

    /// <summary>
    /// Opens <paramref name="path"/>. A missing file is a <see cref="FileNotFoundException"/>; a file that is not an ONNX
    /// model, lacks the manifest or has another interface is an <see cref="InvalidDataException"/> naming the file.
    /// </summary>
    public static OnnxSegmentationModel Open(string path, int? intraOpThreads = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new InvalidDataException($"ONNX model '{path}' is a folder, not a file");
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model '{path}' does not exist", path);
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (intraOpThreads is int threads) options.IntraOpNumThreads = threads;
        InferenceSession session;
        try
        {
            session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"ONNX model '{path}': ONNX Runtime cannot load it ({FirstLine(e.Message)})", e);
        }
        try
        {
            var manifest = ReadManifest(path, session);
            var (height, width) = CheckInterface(path, session, manifest);
            return new OnnxSegmentationModel(path, session, manifest, height, width);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the network on <paramref name="batch"/> (N x C x H x W, row-major) and returns its N x K x H x W logits;
    /// <see cref="InvalidDataException"/> when the graph returns another shape.
    /// </summary>
    public float[] RunLogits(float[] batch, int n, int height, int width)
    {
        using var outputs = Run(batch, n, height, width, LogitsName);
        var logits = outputs[0];
        var shape = logits.GetTensorTypeAndShape().Shape;
        if (shape.Length != 4 || shape[0] != n || shape[1] != Manifest.NumClasses || shape[2] != height || shape[3] != width)
            throw new InvalidDataException(
                $"ONNX model '{Path}': '{LogitsName}' is [{string.Join(", ", shape)}] for a {n} x {Manifest.InChannels} x {height} x {width} input; expected {n} x {Manifest.NumClasses} x {height} x {width}");
        return logits.GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>
    /// Runs the network on <paramref name="batch"/> (N x C x H x W) and returns the graph's N x H x W class ids
    /// (<see cref="ClassIdsName"/>, the arg-max of the logits computed inside the graph).
    /// </summary>
    public long[] RunClassIds(float[] batch, int n, int height, int width)
    {
        using var outputs = Run(batch, n, height, width, ClassIdsName);
        return outputs[0].GetTensorDataAsSpan<long>().ToArray();
    }

    private IDisposableReadOnlyCollection<OrtValue> Run(float[] batch, int n, int height, int width, string output)
    {
        ArgumentNullException.ThrowIfNull(batch);
        long channels = Manifest.InChannels;
        if (n < 1 || height < 1 || width < 1 || batch.LongLength != n * channels * height * width)
            throw new ArgumentException($"{batch.LongLength} values do not make a {n} x {channels} x {height} x {width} batch", nameof(batch));
        using var input = OrtValue.CreateTensorValueFromMemory(batch, [n, channels, height, width]);
        using var runOptions = new RunOptions();
        return _session.Run(runOptions, [InputName], [input], [output]);
    }

    /// <summary>Closes the session.</summary>
    public void Dispose() => _session.Dispose();

    private static ModelManifest ReadManifest(string path, InferenceSession session)
    {
        if (!session.ModelMetadata.CustomMetadataMap.TryGetValue(ManifestKey, out var json))
            throw new InvalidDataException($"ONNX model '{path}': no '{ManifestKey}' metadata; export it with MLNet.Segmentation (mlseg export)");
        ModelManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(json) ?? throw new InvalidDataException("the manifest is empty");
            manifest.Validate();
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"ONNX model '{path}': metadata '{ManifestKey}': {FirstLine(e.Message)}", e);
        }
        return manifest;
    }

    private static (int? Height, int? Width) CheckInterface(string path, InferenceSession session, ModelManifest manifest)
    {
        if (!session.InputMetadata.TryGetValue(InputName, out var input) || input.ElementType != typeof(float) || input.Dimensions.Length != 4)
            throw new InvalidDataException($"ONNX model '{path}': expected a float32 N x C x H x W input '{InputName}'");
        if (!session.OutputMetadata.ContainsKey(LogitsName))
            throw new InvalidDataException($"ONNX model '{path}': no '{LogitsName}' output");
        var dims = input.Dimensions;
        if (dims[1] != manifest.InChannels)
            throw new InvalidDataException($"ONNX model '{path}': input '{InputName}' has {dims[1]} channels but the manifest says {manifest.InChannels}");
        return (dims[2] > 0 ? dims[2] : null, dims[3] > 0 ? dims[3] : null);
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
