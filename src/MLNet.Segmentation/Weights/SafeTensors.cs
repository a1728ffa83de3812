using System.Text;
using System.Text.Json;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Weights;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a UTF-8 JSON header
/// {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}} and the raw little-endian data.
/// Reading is strict: a malformed or truncated file raises <see cref="InvalidDataException"/> before any large allocation
/// (the header length is bounded, every tensor's dtype, shape and offsets must agree and exactly tile the data section,
/// which must be present, before a tensor is created). TorchSharp.PyBridge 1.4.4's reader checks none of that (it
/// allocates each tensor from the header's shape before looking at the file's size), so this one stays.
/// </summary>
public static class SafeTensors
{
    /// <summary>The largest header accepted (as the reference implementation: 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>Loads every tensor of the file onto the CPU.</summary>
    public static StateDict Load(string path)
    {
        using var stream = File.OpenRead(path);
        try
        {
            return Read(stream);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Reads every tensor from a seekable stream positioned at the start of safetensors content.</summary>
    public static StateDict Read(Stream stream) => Read(stream, out _);

    /// <summary>Reads every tensor and the free-form string metadata.</summary>
    public static StateDict Read(Stream stream, out IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors needs a little-endian host");
        long length = stream.CanSeek ? stream.Length - stream.Position : throw new ArgumentException("the stream must be seekable", nameof(stream));
        var (entries, meta, dataStart) = ReadHeader(stream, length);
        metadata = meta;
        long dataLength = length - dataStart;
        ValidateLayout(entries, dataLength);

        var result = new StateDict();
        try
        {
            long origin = stream.Position;
            foreach (var entry in entries)
            {
                if (entry.End - entry.Begin > int.MaxValue)
                    throw new InvalidDataException($"safetensors: tensor '{entry.Name}' has {entry.End - entry.Begin} bytes; tensors over 2 GiB are not supported");
                var tensor = empty(entry.Shape, entry.DType);
                result.Add(entry.Name, tensor);
                stream.Position = origin + entry.Begin;
                if (entry.End > entry.Begin) stream.ReadExactly(tensor.bytes);
            }
        }
        catch (EndOfStreamException e)
        {
            result.Dispose();
            throw new InvalidDataException("safetensors: the data section is truncated", e);
        }
        catch
        {
            result.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>Writes <paramref name="tensors"/> (any device; stored contiguous) to <paramref name="path"/> atomically (temp file, then rename).</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        IO.AtomicFile.Write(path, stream => Write(stream, tensors, metadata));
    }

    /// <summary>Writes <paramref name="tensors"/> in safetensors format to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors needs a little-endian host");
        var items = tensors.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _) in items)
        {
            if (string.IsNullOrEmpty(name) || name == MetadataKey) throw new ArgumentException($"'{name}' is not a valid tensor name", nameof(tensors));
            if (!names.Add(name)) throw new ArgumentException($"duplicate tensor name '{name}'", nameof(tensors));
        }

        var header = new MemoryStream();
        long offset = 0;
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata) json.WriteString(k, v);
                json.WriteEndObject();
            }
            foreach (var (name, tensor) in items)
            {
                long size = tensor.numel() * SafeTensorsDType.ElementSize(tensor.dtype);
                json.WriteStartObject(name);
                json.WriteString("dtype", SafeTensorsDType.Name(tensor.dtype));
                json.WriteStartArray("shape");
                foreach (long s in tensor.shape) json.WriteNumberValue(s);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + size);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += size;
            }
            json.WriteEndObject();
        }
        // Pad the header with spaces to a multiple of 8 bytes so the data section is aligned.
        while (header.Length % 8 != 0) header.WriteByte((byte)' ');

        Span<byte> prefix = stackalloc byte[8];
        BitConverter.TryWriteBytes(prefix, (ulong)header.Length);
        stream.Write(prefix);
        header.Position = 0;
        header.CopyTo(stream);
        foreach (var (_, tensor) in items)
        {
            using var scope = NewDisposeScope();
            var cpu = tensor.detach().cpu().contiguous();
            if (cpu.numel() > 0) stream.Write(cpu.bytes);
        }
        stream.Flush();
    }

    private sealed record Entry(string Name, ScalarType DType, long[] Shape, long Begin, long End);

    private static (List<Entry> Entries, Dictionary<string, string> Metadata, long DataStart) ReadHeader(Stream stream, long length)
    {
        if (length < 8) throw new InvalidDataException($"safetensors: the file has {length} bytes, fewer than the 8-byte header length");
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong headerLength = BitConverter.ToUInt64(prefix);
        if (headerLength > MaxHeaderBytes)
            throw new InvalidDataException($"safetensors: declared header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit");
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
                if (!seen.Add(property.Name)) throw new InvalidDataException($"safetensors: duplicate header key '{property.Name}'");
                if (property.Name == MetadataKey)
                {
                    ReadMetadata(property.Value, metadata);
                    continue;
                }
                entries.Add(ReadEntry(property.Name, property.Value));
            }
            return (entries, metadata, 8 + (long)headerLength);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object) throw new InvalidDataException("safetensors: __metadata__ is not an object");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"safetensors: metadata value '{item.Name}' is not a string");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static Entry ReadEntry(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"safetensors: entry '{name}' is not an object");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"safetensors: tensor '{name}' has no string 'dtype'");
        var dtype = SafeTensorsDType.Parse(dtypeElement.GetString()!, name);

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"safetensors: tensor '{name}' has no 'shape' array");
        if (shapeElement.GetArrayLength() > 16) throw new InvalidDataException($"safetensors: tensor '{name}' has more than 16 dimensions");
        var shape = new long[shapeElement.GetArrayLength()];
        long count = 1;
        int k = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long s) || s < 0)
                throw new InvalidDataException($"safetensors: tensor '{name}' has an invalid dimension {dim.GetRawText()}");
            shape[k++] = s;
            try { count = checked(count * s); }
            catch (OverflowException) { throw new InvalidDataException($"safetensors: tensor '{name}' has an impossibly large shape"); }
        }

        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw new InvalidDataException($"safetensors: tensor '{name}' has no 'data_offsets' pair");
        if (!offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw new InvalidDataException($"safetensors: tensor '{name}' has invalid data offsets {offsets.GetRawText()}");

        long expected;
        try { expected = checked(count * SafeTensorsDType.ElementSize(dtype)); }
        catch (OverflowException) { throw new InvalidDataException($"safetensors: tensor '{name}' has an impossibly large shape"); }
        if (end - begin != expected)
            throw new InvalidDataException($"safetensors: tensor '{name}' of dtype {dtypeElement.GetString()} and shape {TensorData.ShapeText(shape)} needs {expected} bytes but its offsets span {end - begin}");
        return new Entry(name, dtype, shape, begin, end);
    }

    private static void ValidateLayout(List<Entry> entries, long dataLength)
    {
        // The data section must be exactly covered by the tensors: in bounds, no overlap, no hole.
        long position = 0;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.End > dataLength)
                throw new InvalidDataException($"safetensors: tensor '{entry.Name}' ends at byte {entry.End} but the data section has {dataLength} bytes (truncated file?)");
            if (entry.Begin < position)
                throw new InvalidDataException($"safetensors: tensor '{entry.Name}' overlaps the previous tensor (starts at {entry.Begin}, previous ends at {position})");
            if (entry.Begin > position)
                throw new InvalidDataException($"safetensors: the data section has a hole at bytes [{position}, {entry.Begin})");
            position = entry.End;
        }
        if (position != dataLength)
            throw new InvalidDataException($"safetensors: the data section has {dataLength - position} trailing bytes not covered by any tensor");
    }
}
