using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.ModelFiles;

/// <summary>
/// Streams the safetensors weights of a model file into a network: the header is read and compared with the expected
/// state dict before the network exists; the tensors are then inflated one at a time, in the order of their data,
/// checked to be finite and copied into the network (so memory is the network plus its largest tensor).
/// </summary>
internal static class ModelWeightsLoader
{
    /// <summary>Reads and checks the header of the weights stream against <paramref name="expected"/>; problems throw one-line <see cref="InvalidDataException"/>s.</summary>
    internal static SafeTensorsHeader ReadHeader(Stream weights, long length, ExpectedStateDict expected, string architecture)
    {
        var header = SafeTensorsHeader.Read(weights, length, ModelFileLimits.MaxHeaderBytes);
        CheckAgainst(header, expected, architecture);
        return header;
    }

    /// <summary>Fails unless the header has exactly the expected names, shapes and kinds of dtype.</summary>
    internal static void CheckAgainst(SafeTensorsHeader header, ExpectedStateDict expected, string architecture)
    {
        var stored = header.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var missing = expected.Tensors.Keys.Where(k => !stored.ContainsKey(k)).ToList();
        var unexpected = header.Entries.Where(e => !expected.Tensors.ContainsKey(e.Name)).Select(e => e.Name).ToList();
        var reshaped = new List<string>();
        foreach (var (name, tensor) in expected.Tensors)
        {
            if (!stored.TryGetValue(name, out var entry)) continue;
            if (!entry.Shape.AsSpan().SequenceEqual(tensor.Shape))
                reshaped.Add($"{MessageText.Quote(name)} is {TensorData.ShapeText(entry.Shape)}, expected {TensorData.ShapeText(tensor.Shape)}");
            else if (IsFloatingPoint(entry.DType) != tensor.IsFloatingPoint)
                reshaped.Add($"{MessageText.Quote(name)} is stored as {entry.DTypeName}, expected a {(tensor.IsFloatingPoint ? "floating-point" : "integer")} dtype");
        }
        if (missing.Count == 0 && unexpected.Count == 0 && reshaped.Count == 0) return;
        var parts = new List<string>();
        if (missing.Count > 0) parts.Add($"{missing.Count} missing (first {MessageText.Quote(missing[0])})");
        if (unexpected.Count > 0) parts.Add($"{unexpected.Count} unexpected (first {MessageText.Quote(unexpected[0])})");
        if (reshaped.Count > 0) parts.Add($"{reshaped.Count} of another shape or dtype (first {reshaped[0]})");
        throw new InvalidDataException(
            $"the weights do not match the manifest's {architecture} options ({expected.Tensors.Count} tensors expected): {string.Join("; ", parts)}");
    }

    /// <summary>Copies the tensors that follow the header into <paramref name="model"/>, checking each is finite.</summary>
    internal static void Stream(Stream weights, SafeTensorsHeader header, SegmentationModel model)
    {
        var targets = model.state_dict();
        if (targets.Count != header.Entries.Count || header.Entries.Any(e => !targets.ContainsKey(e.Name)))
            throw new InvalidOperationException("the network built from the options does not have the expected state dict (a bug of ArchitectureShapes)");
        using var noGrad = no_grad();
        foreach (var entry in header.Entries)
        {
            using var scope = NewDisposeScope();
            var target = targets[entry.Name];
            if (!target.shape.AsSpan().SequenceEqual(entry.Shape))
                throw new InvalidOperationException($"the network's {entry.Name} is {TensorData.ShapeText(target.shape)}, not the expected shape (a bug of ArchitectureShapes)");
            bool direct = target.dtype == entry.DType && target.device_type == DeviceType.CPU && target.is_contiguous();
            var data = direct ? target : empty(entry.Shape, entry.DType);
            SafeTensorsHeader.ReadData(weights, entry, data);
            if (IsFloatingPoint(entry.DType) && entry.ByteCount > 0 && !data.isfinite().all().item<bool>())
                throw new InvalidDataException($"tensor {MessageText.Quote(entry.Name)} has non-finite values (NaN or infinity)");
            if (!direct) target.copy_(data);
        }
        if (weights.ReadByte() >= 0) throw new InvalidDataException("safetensors: the weights entry has bytes after the data section");
    }

    private static bool IsFloatingPoint(ScalarType dtype) =>
        dtype is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;
}
