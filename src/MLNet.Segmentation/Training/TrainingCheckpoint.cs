using System.Globalization;
using System.Text.Json;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Training.Optimizers;
using MLNet.Segmentation.Weights;

namespace MLNet.Segmentation.Training;

/// <summary>
/// A resumable training state in one safetensors file, written atomically: the model ("model.*"), the optimizer
/// ("optimizer.*"), libtorch's default CPU generator state ("rng.cpu") and, as metadata, the completed epochs, the
/// history and the best validation result so far.
/// </summary>
public sealed record TrainingCheckpoint(int CompletedEpochs, IReadOnlyList<EpochRecord> History, int BestEpoch,
    double BestValidationMeanIoU, int EpochsSinceBest)
{
    /// <summary>The metadata value identifying the format.</summary>
    public const string Format = "mlseg-checkpoint/1";

    /// <summary>Writes the checkpoint of <paramref name="model"/> and <paramref name="optimizer"/> to <paramref name="path"/>.</summary>
    public void Save(string path, Module model, Optimizer optimizer)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        using var scope = DisposeScope.Enter();
        using var state = model.StateDict();
        foreach (var (name, tensor) in state) tensors.Add(new("model." + name, tensor));
        var optimizerState = optimizer.StateDict();
        foreach (var (name, tensor) in optimizerState) tensors.Add(new("optimizer." + name, tensor));
        using var generator = Generator.Default();
        byte[] rng = generator.GetState();
        tensors.Add(new("rng.cpu", Tensor.FromArray(rng)));
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["completed_epochs"] = CompletedEpochs.ToString(CultureInfo.InvariantCulture),
            ["best_epoch"] = BestEpoch.ToString(CultureInfo.InvariantCulture),
            ["best_miou"] = BestValidationMeanIoU.ToString("R", CultureInfo.InvariantCulture),
            ["epochs_since_best"] = EpochsSinceBest.ToString(CultureInfo.InvariantCulture),
            ["history"] = JsonSerializer.Serialize(History),
        };
        try
        {
            SafeTensors.Save(path, tensors, metadata);
        }
        finally
        {
            foreach (var t in optimizerState.Values) t.Dispose();
        }
    }

    /// <summary>Loads a checkpoint into <paramref name="model"/> and <paramref name="optimizer"/> and restores the RNG state.</summary>
    public static TrainingCheckpoint Load(string path, Module model, Optimizer optimizer)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint '{path}' does not exist", path);
        using var stream = File.OpenRead(path);
        using var dict = SafeTensors.Read(stream, out var metadata);
        if (!metadata.TryGetValue("format", out var format) || format != Format)
            throw new InvalidDataException($"'{path}' is not an mlseg training checkpoint (format '{format ?? "missing"}')");
        using var modelState = dict.WithoutPrefix("model.");
        model.LoadStateDict(modelState, strict: true);
        var optimizerState = dict.Where(kv => kv.Key.StartsWith("optimizer.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["optimizer.".Length..], kv => kv.Value);
        optimizer.LoadStateDict(optimizerState);
        if (!dict.TryGetValue("rng.cpu", out var rng)) throw new InvalidDataException($"checkpoint '{path}' has no RNG state");
        using (var generator = Generator.Default()) generator.SetState(rng.ToArray<byte>());
        try
        {
            return new TrainingCheckpoint(
                int.Parse(metadata["completed_epochs"], CultureInfo.InvariantCulture),
                JsonSerializer.Deserialize<List<EpochRecord>>(metadata["history"]) ?? [],
                int.Parse(metadata["best_epoch"], CultureInfo.InvariantCulture),
                double.Parse(metadata["best_miou"], CultureInfo.InvariantCulture),
                int.Parse(metadata["epochs_since_best"], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException or JsonException)
        {
            throw new InvalidDataException($"checkpoint '{path}' has damaged metadata: {e.Message}", e);
        }
    }
}
