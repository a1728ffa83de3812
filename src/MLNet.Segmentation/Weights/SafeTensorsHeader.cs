using System.Text.Json;
using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Weights;

/// <summary>
/// The parsed and checked header of safetensors content: every tensor's name, dtype, shape and byte range, and the
/// string metadata. <see cref="Read"/> consumes only the 8-byte length and the header from the stream (which need not be
/// seekable, e.g. an entry of a zip) and checks, before any tensor exists, that the length is within the limit and the
/// content, every entry is consistent and the entries exactly tile the data section the total length leaves.
/// </summary>
internal sealed class SafeTensorsHeader
{
    /// <summary>One tensor of the header; <see cref="Index"/> is its position in the header.</summary>
    internal sealed record Entry(string Name, ScalarType DType, string DTypeName, long[] Shape, long Begin, long End, int Index)
    {
        internal long ByteCount => End - Begin;
    }

    private static string Q(string? text) => ModelFiles.MessageText.Quote(text);

    private SafeTensorsHeader(List<Entry> entries, Dictionary<string, string> metadata, long headerLength, long dataLength)
    {
        Entries = entries;
        Metadata = metadata;
        HeaderLength = headerLength;
        DataLength = dataLength;
    }

    /// <summary>The tensors in the order of their data (by offset).</summary>
    internal IReadOnlyList<Entry> Entries { get; }

    /// <summary>The free-form string metadata.</summary>
    internal IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Bytes of the JSON header (after the 8-byte length).</summary>
    internal long HeaderLength { get; }

    /// <summary>Bytes of the data section.</summary>
    internal long DataLength { get; }

    /// <summary>
    /// Reads the header of safetensors content of <paramref name="length"/> bytes that starts at the stream's position,
    /// leaving the stream at the start of the data section.
    /// </summary>
    internal static SafeTensorsHeader Read(Stream stream, long length, long maxHeaderBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors needs a little-endian host");
        try
        {
            return ReadChecked(stream, length, maxHeaderBytes);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("safetensors: the header is truncated", e);
        }
    }

    /// <summary>
    /// Reads the data of <paramref name="entry"/> from the stream (positioned at its first byte, as when the entries are
    /// read in order) into <paramref name="tensor"/>, a contiguous CPU tensor of the entry's dtype and shape.
    /// </summary>
    internal static void ReadData(Stream stream, Entry entry, Tensor tensor)
    {
        CheckSize(entry);
        if (entry.ByteCount == 0) return;
        try
        {
            stream.ReadExactly(tensor.bytes);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"safetensors: the data section is truncated (in tensor {Q(entry.Name)})", e);
        }
    }

    /// <summary>Throws for a tensor over 2 GiB (its data cannot be read into one span).</summary>
    internal static void CheckSize(Entry entry)
    {
        if (entry.ByteCount > int.MaxValue)
            throw new InvalidDataException($"safetensors: tensor {Q(entry.Name)} has {entry.ByteCount} bytes; tensors over 2 GiB are not supported");
    }

    private static SafeTensorsHeader ReadChecked(Stream stream, long length, long maxHeaderBytes)
    {
        if (length < 8) throw new InvalidDataException($"safetensors: the file has {length} bytes, fewer than the 8-byte header length");
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong headerLength = BitConverter.ToUInt64(prefix);
        if (headerLength > (ulong)maxHeaderBytes)
            throw new InvalidDataException($"safetensors: declared header length {headerLength} exceeds the {maxHeaderBytes}-byte limit");
        if ((long)headerLength > length - 8)
            throw new InvalidDataException($"safetensors: declared header length {headerLength} exceeds the {length - 8} bytes after the length prefix");
        if (headerLength < 2) throw new InvalidDataException($"safetensors: header length {headerLength} is too small for a JSON object");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        // System.Text.Json checks the bytes of strings only when they are read, and then throws InvalidOperationException.
        if (!System.Text.Unicode.Utf8.IsValid(headerBytes)) throw new InvalidDataException("safetensors: the header is not valid UTF-8");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerBytes, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"safetensors: the header is not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException("safetensors: the header is not a JSON object");
            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name)) throw new InvalidDataException($"safetensors: duplicate header key {Q(property.Name)}");
                if (property.Name == SafeTensors.MetadataKey)
                {
                    ReadMetadata(property.Value, metadata);
                    continue;
                }
                entries.Add(ReadEntry(property.Name, property.Value, entries.Count));
            }
            long dataLength = length - 8 - (long)headerLength;
            ValidateLayout(entries, dataLength);
            entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            return new SafeTensorsHeader(entries, metadata, (long)headerLength, dataLength);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object) throw new InvalidDataException("safetensors: __metadata__ is not an object");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"safetensors: metadata value {Q(item.Name)} is not a string");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static Entry ReadEntry(string name, JsonElement value, int index)
    {
        if (value.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"safetensors: entry {Q(name)} is not an object");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"safetensors: tensor {Q(name)} has no string 'dtype'");
        var dtype = SafeTensorsDType.Parse(dtypeElement.GetString()!, name);

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"safetensors: tensor {Q(name)} has no 'shape' array");
        if (shapeElement.GetArrayLength() > 16) throw new InvalidDataException($"safetensors: tensor {Q(name)} has more than 16 dimensions");
        var shape = new long[shapeElement.GetArrayLength()];
        long count = 1;
        int k = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long s) || s < 0)
                throw new InvalidDataException($"safetensors: tensor {Q(name)} has an invalid dimension {dim.GetRawText()}");
            shape[k++] = s;
            try { count = checked(count * s); }
            catch (OverflowException) { throw new InvalidDataException($"safetensors: tensor {Q(name)} has an impossibly large shape"); }
        }

        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw new InvalidDataException($"safetensors: tensor {Q(name)} has no 'data_offsets' pair");
        if (!offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw new InvalidDataException($"safetensors: tensor {Q(name)} has invalid data offsets {offsets.GetRawText()}");

        long expected;
        try { expected = checked(count * SafeTensorsDType.ElementSize(dtype)); }
        catch (OverflowException) { throw new InvalidDataException($"safetensors: tensor {Q(name)} has an impossibly large shape"); }
        if (end - begin != expected)
            throw new InvalidDataException($"safetensors: tensor {Q(name)} of dtype {dtypeElement.GetString()} and shape {TensorData.ShapeText(shape)} needs {expected} bytes but its offsets span {end - begin}");
        return new Entry(name, dtype, dtypeElement.GetString()!, shape, begin, end, index);
    }

    private static void ValidateLayout(List<Entry> entries, long dataLength)
    {
        // The data section must be exactly covered by the tensors: in bounds, no overlap, no hole.
        long position = 0;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.End > dataLength)
                throw new InvalidDataException($"safetensors: tensor {Q(entry.Name)} ends at byte {entry.End} but the data section has {dataLength} bytes (truncated file?)");
            if (entry.Begin < position)
                throw new InvalidDataException($"safetensors: tensor {Q(entry.Name)} overlaps the previous tensor (starts at {entry.Begin}, previous ends at {position})");
            if (entry.Begin > position)
                throw new InvalidDataException($"safetensors: the data section has a hole at bytes [{position}, {entry.Begin})");
            position = entry.End;
        }
        if (position != dataLength)
            throw new InvalidDataException($"safetensors: the data section has {dataLength - position} trailing bytes not covered by any tensor");
    }
}
