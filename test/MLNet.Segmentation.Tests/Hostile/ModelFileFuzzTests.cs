using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using MLNet.Segmentation.Inference;
using MLNet.Segmentation.ModelFiles;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Hostile;

/// <summary>
/// 1,000 deterministic mutations of a small valid model file: raw zip bytes, manifest fields and safetensors headers
/// (lengths, dtypes, shapes, offsets, names) and weight values. Each must give either a one-line
/// <see cref="InvalidDataException"/> naming the file, or a model that predicts (finite probabilities, or the
/// documented <see cref="InvalidOperationException"/> for non-finite logits); the process's peak memory and the total
/// time stay bounded.
/// </summary>
[TestClass]
public sealed class ModelFileFuzzTests
{
    private const int Cases = 1000;

    private static readonly JsonNode?[] Values =
    [
        0, -1, 1, 2, 3, 7, 255, 256, 257, 1024, 20000, int.MaxValue, long.MaxValue, -1e300, 0.5, 1e30, "", "x", "unet",
        "#zzzzzz", "\n", new string('a', 5000), true, null, new JsonArray(), new JsonObject(), new JsonArray(null, "a"),
        new JsonArray("a", "a"), new JsonArray(1, 2), new JsonArray(0, 64), new JsonArray(float.MaxValue, 1, 1),
    ];

    private static readonly string[] DTypes = ["F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL", "F8_E4M3", "", "f32"];

    private static JsonNode? Pick(Random random) => Values[random.Next(Values.Length)]?.DeepClone();

    [TestMethod]
    public void MutatedModelFilesGiveACleanErrorOrAWorkingModel()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlseg-fuzz-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            Run(dir);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static void Run(string dir)
    {
        var parts = ModelFileParts.TinyUNet(dir);
        byte[] valid = File.ReadAllBytes(parts.Write(Path.Combine(dir, "valid.zip")));
        using var image = rand(1, 3, 12, 12);
        var outcomes = new Dictionary<string, int>();
        var reasons = new Dictionary<string, int>();
        var memory = PeakMemory.Start();
        var clock = Stopwatch.StartNew();
        for (int k = 0; k < Cases; k++)
        {
            var random = new Random(1000 + k);
            string path = Path.Combine(dir, $"case-{k:D4}.mlseg.zip");
            string kind = Mutate(k, random, parts, valid, path);
            string outcome = Try(path, image, kind, k, reasons);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            File.Delete(path);
        }
        clock.Stop();
        string summary = string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"));
        Console.WriteLine($"{Cases} cases in {clock.Elapsed.TotalSeconds:0.0} s, peak memory +{memory.GrowthMiB:0} MiB: {summary}");
        foreach (var (reason, count) in reasons.OrderByDescending(r => r.Value).Take(25)) Console.WriteLine($"  {count,4}  {reason}");
        Assert.IsTrue(outcomes.GetValueOrDefault("loaded") >= 50, summary);
        Assert.IsTrue(outcomes.GetValueOrDefault("refused") >= 500, summary);
        Assert.IsTrue(memory.GrowthMiB < 256, $"peak memory grew {memory.GrowthMiB:0} MiB: {summary}");
        Assert.IsTrue(clock.Elapsed.TotalSeconds < 60, $"{clock.Elapsed.TotalSeconds:0} s: {summary}");
    }

    private static string Try(string path, Tensor image, string kind, int k, Dictionary<string, int> reasons)
    {
        try
        {
            using var loaded = SegmentationModelFile.Load(path);
            var predictor = new SegmentationPredictor(loaded.Model, new PredictorOptions { Mean = loaded.Manifest.Mean, Std = loaded.Manifest.Std });
            try
            {
                using var prediction = predictor.Predict(image);
                Assert.IsTrue(prediction.Probabilities.isfinite().all().item<bool>(), $"case {k} ({kind}): non-finite probabilities");
                Assert.AreEqual(loaded.Manifest.NumClasses, prediction.Probabilities.size(1), $"case {k} ({kind})");
                return "loaded";
            }
            catch (InvalidOperationException e) when (e.Message.Contains("non-finite values", StringComparison.Ordinal))
            {
                OneLine(e.Message, kind, k);
                return "loaded, non-finite logits";
            }
        }
        catch (InvalidDataException e)
        {
            OneLine(e.Message, kind, k);
            Assert.IsTrue(e.Message.StartsWith($"model file '{path}': ", StringComparison.Ordinal), $"case {k} ({kind}): {e.Message}");
            string reason = System.Text.RegularExpressions.Regex.Replace(e.Message[(path.Length + 15)..], "'[^']*'|[0-9]+", "#");
            reason = reason.Length > 70 ? reason[..70] : reason;
            reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
            return "refused";
        }
        catch (Exception e) when (e is not AssertFailedException)
        {
            Assert.Fail($"case {k} ({kind}): {e.GetType().Name}: {e.Message}");
            throw;
        }
    }

    private static void OneLine(string message, string kind, int k) =>
        Assert.IsFalse(message.Contains('\n') || message.Contains('\r') || message.Length > 600, $"case {k} ({kind}): {message}");

    // Writes case k's file and names its kind of mutation.
    internal static string Mutate(int k, Random random, ModelFileParts parts, byte[] valid, string path)
    {
        switch (k % 5)
        {
            case 0:
                File.WriteAllBytes(path, MutateBytes(valid, random));
                return "zip bytes";
            case 1:
                MutateManifest(parts, random).Write(path, Level(random));
                return "manifest";
            case 2:
            case 3:
                (parts with { Weights = MutateHeader(parts, random) }).Write(path, Level(random));
                return "safetensors header";
            default:
                (parts with { Weights = MutateData(parts, random) }).Write(path, Level(random));
                return "weight values";
        }
    }

    private static CompressionLevel Level(Random random) => random.Next(3) switch
    {
        0 => CompressionLevel.NoCompression,
        1 => CompressionLevel.Fastest,
        _ => CompressionLevel.Optimal,
    };

    private static byte[] MutateBytes(byte[] valid, Random random)
    {
        var bytes = (byte[])valid.Clone();
        switch (random.Next(4))
        {
            case 0: // random bytes
                for (int n = random.Next(1, 9); n > 0; n--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                return bytes;
            case 1: // bit flips
                for (int n = random.Next(1, 5); n > 0; n--) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 2: // truncation
                return bytes[..random.Next(bytes.Length)];
            default: // a size or offset field of a local header, the central directory or its end record
                var fields = new List<int>();
                for (int i = 0; i + 4 <= bytes.Length; i++)
                {
                    uint signature = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i));
                    if (signature == 0x04034b50) fields.AddRange([i + 14, i + 18, i + 22, i + 26, i + 28]);
                    if (signature == 0x02014b50) fields.AddRange([i + 16, i + 20, i + 24, i + 28, i + 30, i + 42]);
                    if (signature == 0x06054b50) fields.AddRange([i + 8, i + 10, i + 12, i + 16]);
                }
                int at = fields[random.Next(fields.Count)];
                uint[] values = [0, 1, 0xFFFF, 0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, (uint)random.Next(), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)) + 1];
                uint value = values[random.Next(values.Length)];
                if (at + 4 <= bytes.Length && random.Next(2) == 0) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), value);
                else BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), (ushort)value);
                return bytes;
        }
    }

    private static ModelFileParts MutateManifest(ModelFileParts parts, Random random)
    {
        var manifest = parts.ManifestJson();
        var options = manifest["options"]!.AsObject();
        for (int n = random.Next(1, 3); n > 0; n--)
        {
            bool inOptions = random.Next(2) == 0;
            var target = inOptions ? options : manifest;
            var keys = target.Select(p => p.Key).ToArray();
            switch (random.Next(6))
            {
                case 0:
                    target.Remove(keys[random.Next(keys.Length)]);
                    break;
                case 1:
                    target["Unknown" + random.Next(3)] = Pick(random);
                    break;
                case 2: // a plausible neighbouring value of a number
                    string key = keys[random.Next(keys.Length)];
                    if (target[key] is JsonValue v && v.TryGetValue<int>(out int i)) target[key] = i + random.Next(-2, 3);
                    else target[key] = Pick(random);
                    break;
                default:
                    target[keys[random.Next(keys.Length)]] = Pick(random);
                    break;
            }
        }
        return parts.WithManifest(manifest);
    }

    private static byte[] MutateHeader(ModelFileParts parts, Random random)
    {
        var (header, data) = parts.SplitWeights();
        var names = header.Where(p => p.Key != "__metadata__").Select(p => p.Key).ToArray();
        ulong? declared = null;
        for (int n = random.Next(1, 3); n > 0; n--)
        {
            string name = names[random.Next(names.Length)];
            var entry = header[name]?.AsObject();
            if (entry is null) continue;
            switch (random.Next(10))
            {
                case 0:
                    entry["dtype"] = random.Next(5) == 0 ? Pick(random) : DTypes[random.Next(DTypes.Length)];
                    break;
                case 1: // a dimension changed
                    if (entry["shape"] is JsonArray shape && shape.Count > 0)
                    {
                        int d = random.Next(shape.Count);
                        long[] dims = [0, 1, 2, -1, 1L << 40, long.MaxValue, shape[d]!.GetValue<long>() * 2, shape[d]!.GetValue<long>() + 1];
                        shape[d] = dims[random.Next(dims.Length)];
                    }
                    else entry["shape"] = new JsonArray(random.Next(1, 4));
                    break;
                case 2: // a dimension added or removed
                    if (entry["shape"] is JsonArray s2)
                    {
                        if (s2.Count > 0 && random.Next(2) == 0) s2.RemoveAt(random.Next(s2.Count));
                        else s2.Add(1);
                    }
                    break;
                case 3: // offsets moved
                    if (entry["data_offsets"] is JsonArray offsets && offsets.Count == 2)
                    {
                        long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
                        int shift = random.Next(-8, 9);
                        (long, long)[] moves = [(begin + shift, end + shift), (begin, end + shift), (end, begin), (0, long.MaxValue), (-4, end), (begin, 1L << 62)];
                        var (b, e) = moves[random.Next(moves.Length)];
                        entry["data_offsets"] = new JsonArray(b, e);
                    }
                    break;
                case 4:
                    entry["data_offsets"] = Pick(random);
                    break;
                case 5: // renamed
                    header.Remove(name);
                    header[random.Next(2) == 0 ? name + "x" : name.ToUpperInvariant()] = entry;
                    break;
                case 6:
                    header.Remove(name);
                    break;
                case 7:
                    header[name] = Pick(random);
                    break;
                case 8: // the declared header length
                    ulong[] lengths = [0, 1, 7, 1UL << 40, ulong.MaxValue, (ulong)random.Next(1, 4000)];
                    declared = lengths[random.Next(lengths.Length)];
                    break;
                default:
                    header["__metadata__"] = random.Next(2) == 0 ? Pick(random) : new JsonObject { ["k"] = Pick(random) };
                    break;
            }
        }
        var weights = ModelFileParts.JoinWeights(header, data, declared);
        return random.Next(8) == 0 ? weights[..random.Next(weights.Length)] : weights;
    }

    private static byte[] MutateData(ModelFileParts parts, Random random)
    {
        long length = (long)BinaryPrimitives.ReadUInt64LittleEndian(parts.Weights);
        var weights = (byte[])parts.Weights.Clone();
        int dataStart = 8 + (int)length;
        float[] values = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, -float.MaxValue, 1e30f, 0f, 1e-30f];
        for (int n = random.Next(1, 4); n > 0; n--)
        {
            int at = dataStart + 4 * random.Next((weights.Length - dataStart) / 4);
            if (random.Next(2) == 0) BinaryPrimitives.WriteSingleLittleEndian(weights.AsSpan(at), values[random.Next(values.Length)]);
            else weights[at + random.Next(4)] = (byte)random.Next(256);
        }
        return weights;
    }
}
