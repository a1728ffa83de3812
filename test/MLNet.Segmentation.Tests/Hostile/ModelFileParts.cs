using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Models;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Hostile;

/// <summary>The entries of a small valid model file, and helpers that put (tampered) entries back into a zip.</summary>
internal sealed record ModelFileParts(byte[] Manifest, byte[] Weights)
{
    /// <summary>A manifest for <paramref name="classes"/> classes and three channels (architecture and options are filled in by Save).</summary>
    public static ModelManifest ManifestFor(int classes) => new()
    {
        Architecture = "",
        Options = default,
        NumClasses = classes,
        InChannels = 3,
        ClassNames = Enumerable.Range(0, classes).Select(i => $"class{i}").ToArray(),
        ClassColors = Enumerable.Range(0, classes).Select(i => $"#{i % 256:x2}0000").ToArray(),
        IgnoreIndex = 255,
        Mean = [0.5f, 0.5f, 0.5f],
        Std = [0.25f, 0.25f, 0.25f],
    };

    /// <summary>Saves <paramref name="model"/> through <see cref="SegmentationModelFile.Save"/> and returns its entries.</summary>
    public static ModelFileParts Of(SegmentationModel model, string directory, int classes)
    {
        string path = Path.Combine(directory, "parts-" + Guid.NewGuid().ToString("N") + ".zip");
        SegmentationModelFile.Save(path, model, ManifestFor(classes));
        try
        {
            return FromZip(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A tiny U-Net (2 classes, base width 2, depth 1) saved and split.</summary>
    public static ModelFileParts TinyUNet(string directory, int classes = 2)
    {
        random.manual_seed(11);
        using var model = new UNet(classes, new UNetOptions { BaseWidth = 2, Depth = 1 });
        return Of(model, directory, classes);
    }

    /// <summary>The entries of a model file on disk.</summary>
    public static ModelFileParts FromZip(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        byte[] Read(string entry)
        {
            using var s = zip.GetEntry(entry)!.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        }
        return new(Read(SegmentationModelFile.ManifestEntry), Read(SegmentationModelFile.WeightsEntry));
    }

    /// <summary>The manifest as a JSON tree.</summary>
    public JsonObject ManifestJson() => JsonNode.Parse(Manifest)!.AsObject();

    /// <summary>These parts with another manifest.</summary>
    public ModelFileParts WithManifest(JsonNode manifest) => this with { Manifest = Encoding.UTF8.GetBytes(manifest.ToJsonString()) };

    /// <summary>The safetensors header of the weights as a JSON tree, and the data section.</summary>
    public (JsonObject Header, byte[] Data) SplitWeights()
    {
        long length = (long)BinaryPrimitives.ReadUInt64LittleEndian(Weights);
        var header = JsonNode.Parse(Weights.AsSpan(8, (int)length))!.AsObject();
        return (header, Weights[(8 + (int)length)..]);
    }

    /// <summary>Safetensors bytes from a header (serialized, its length in the prefix unless given) and a data section.</summary>
    public static byte[] JoinWeights(JsonNode header, byte[] data, ulong? declaredLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }

    /// <summary>Writes a zip of the given entries (in order) to <paramref name="path"/>.</summary>
    public static string WriteZip(string path, CompressionLevel level, params (string Name, byte[] Data)[] entries)
    {
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        foreach (var (name, data) in entries)
            using (var s = zip.CreateEntry(name, level).Open()) s.Write(data);
        return path;
    }

    /// <summary>Writes these parts as a model file.</summary>
    public string Write(string path, CompressionLevel level = CompressionLevel.Fastest) =>
        WriteZip(path, level, (SegmentationModelFile.ManifestEntry, Manifest), (SegmentationModelFile.WeightsEntry, Weights));
}
