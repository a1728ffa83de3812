using System.Text.Json;
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

    internal const string MetadataKey = "__metadata__";

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
        long length = stream.CanSeek ? stream.Length - stream.Position : throw new ArgumentException("the stream must be seekable", nameof(stream));
        var header = SafeTensorsHeader.Read(stream, length, MaxHeaderBytes);
        metadata = header.Metadata;

        var result = new StateDict();
        try
        {
            var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var entry in header.Entries.OrderBy(e => e.Index))
            {
                SafeTensorsHeader.CheckSize(entry);
                var tensor = empty(entry.Shape, entry.DType);
                result.Add(entry.Name, tensor);
                tensors[entry.Name] = tensor;
            }
            // The layout is checked to tile the data section, so the tensors are read in one forward pass.
            foreach (var entry in header.Entries) SafeTensorsHeader.ReadData(stream, entry, tensors[entry.Name]);
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
}
