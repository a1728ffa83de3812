using System.Globalization;
using System.Text.Json;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Weights;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Training;

/// <summary>
/// A resumable training state in one safetensors file, written atomically: the model ("model.*"), the TorchSharp
/// optimizer's own serialized state ("optimizer.state", its binary state dict as bytes, tagged with the optimizer type),
/// libtorch's default CPU generator state ("rng.cpu") and, as metadata, the completed epochs and steps, the history and
/// the best validation result so far.
/// </summary>
public sealed record TrainingCheckpoint(int CompletedEpochs, long CompletedSteps, IReadOnlyList<EpochRecord> History, int BestEpoch,
    double BestValidationMeanIoU, int EpochsSinceBest)
{
    /// <summary>
    /// The learning-rate schedule the run follows (kind, base rate and warm-up), as
    /// <see cref="SegmentationTrainer"/> describes it; a resumed run must follow the same one. Null: not recorded.
    /// </summary>
    public string? Schedule { get; init; }

    /// <summary>The metadata value identifying the format.</summary>
    public const string Format = "mlseg-checkpoint/2";

    /// <summary>Writes the checkpoint of <paramref name="model"/> and <paramref name="optimizer"/> to <paramref name="path"/>.</summary>
    public void Save(string path, nn.Module model, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        using var scope = NewDisposeScope();
        var tensors = new List<KeyValuePair<string, Tensor>>();
        using var state = model.StateDictOf();
        foreach (var (name, tensor) in state) tensors.Add(new("model." + name, tensor));
        byte[] optimizerBytes = OptimizerBytes(optimizer);
        tensors.Add(new("optimizer.state", TensorData.FromArray(optimizerBytes, optimizerBytes.LongLength)));
        tensors.Add(new("rng.cpu", random.get_rng_state()));
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["optimizer"] = AlgorithmName(optimizer),
            ["completed_epochs"] = CompletedEpochs.ToString(CultureInfo.InvariantCulture),
            ["completed_steps"] = CompletedSteps.ToString(CultureInfo.InvariantCulture),
            ["best_epoch"] = BestEpoch.ToString(CultureInfo.InvariantCulture),
            ["best_miou"] = BestValidationMeanIoU.ToString("R", CultureInfo.InvariantCulture),
            ["epochs_since_best"] = EpochsSinceBest.ToString(CultureInfo.InvariantCulture),
            ["history"] = JsonSerializer.Serialize(History),
        };
        if (Schedule is not null) metadata["schedule"] = Schedule;
        SafeTensors.Save(path, tensors, metadata);
    }

    // The algorithm's TorchSharp name (SGD, Adam, AdamW): the package's Scalar-safe steps derive from those classes and
    // share their state, so a checkpoint of either side resumes on the other.
    private static string AlgorithmName(TorchSharp.Modules.OptimizerHelper optimizer)
    {
        var type = optimizer.GetType();
        while (type.BaseType is { } parent && type.Namespace != "TorchSharp.Modules") type = parent;
        return type.Name;
    }

    private static byte[] OptimizerBytes(TorchSharp.Modules.OptimizerHelper optimizer)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) optimizer.save_state_dict(writer);
        return buffer.ToArray();
    }

    /// <summary>
    /// Loads a checkpoint into <paramref name="model"/> and <paramref name="optimizer"/> and restores the RNG state. A
    /// checkpoint of another optimizer type, or of another <paramref name="schedule"/> when both record one, is refused
    /// (InvalidDataException naming both).
    /// </summary>
    public static TrainingCheckpoint Load(string path, nn.Module model, TorchSharp.Modules.OptimizerHelper optimizer, string? schedule = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint '{path}' does not exist", path);
        using var stream = File.OpenRead(path);
        using var dict = SafeTensors.Read(stream, out var metadata);
        if (!metadata.TryGetValue("format", out var format) || format != Format)
            throw new InvalidDataException($"'{path}' is not an mlseg training checkpoint of this version (format '{format ?? "missing"}', expected {Format})");
        string saved = metadata.GetValueOrDefault("optimizer") ?? "unknown";
        if (saved != AlgorithmName(optimizer))
            throw new InvalidDataException($"checkpoint '{path}' was written with the {saved} optimizer; this run uses {AlgorithmName(optimizer)}");
        if (schedule is not null && metadata.GetValueOrDefault("schedule") is { } savedSchedule && savedSchedule != schedule)
            throw new InvalidDataException($"checkpoint '{path}' was written with the schedule '{savedSchedule}'; this run uses '{schedule}' (resume with the same --schedule, --lr and --warmup)");
        using var modelState = dict.WithoutPrefix("model.");
        model.Load(modelState, strict: true);
        if (!dict.TryGetValue("optimizer.state", out var optimizerState)) throw new InvalidDataException($"checkpoint '{path}' has no optimizer state");
        try
        {
            using var reader = new BinaryReader(new MemoryStream(TensorData.ToArray<byte>(optimizerState)));
            optimizer.load_state_dict(reader);
        }
        catch (Exception e) when (e is ArgumentException or EndOfStreamException or InvalidDataException)
        {
            throw new InvalidDataException($"checkpoint '{path}': the optimizer state does not fit this model's parameters ({e.Message})", e);
        }
        if (!dict.TryGetValue("rng.cpu", out var rng)) throw new InvalidDataException($"checkpoint '{path}' has no RNG state");
        random.set_rng_state(rng);
        try
        {
            return new TrainingCheckpoint(
                int.Parse(metadata["completed_epochs"], CultureInfo.InvariantCulture),
                long.Parse(metadata["completed_steps"], CultureInfo.InvariantCulture),
                JsonSerializer.Deserialize<List<EpochRecord>>(metadata["history"]) ?? [],
                int.Parse(metadata["best_epoch"], CultureInfo.InvariantCulture),
                double.Parse(metadata["best_miou"], CultureInfo.InvariantCulture),
                int.Parse(metadata["epochs_since_best"], CultureInfo.InvariantCulture))
            { Schedule = metadata.GetValueOrDefault("schedule") };
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException or JsonException)
        {
            throw new InvalidDataException($"checkpoint '{path}' has damaged metadata: {e.Message}", e);
        }
    }
}
