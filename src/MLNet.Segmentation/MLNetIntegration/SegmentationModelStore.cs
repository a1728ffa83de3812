using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Segmentation.ModelFiles;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// The pipeline zip of <c>SaveModel</c>/<c>LoadModel</c>: "pipeline.json" lists the parts in order; runs of ML.NET
/// transformers are saved by <c>mlContext.Model.Save</c> (part-N.mlnet.zip), each segmentation transformer as a model
/// file (part-N.mlseg.zip) plus its columns, each column transform of <see cref="SegmentationTransforms"/> as its
/// settings; "input.mlnet.zip" keeps the scoring input schema (the columns scoring reads). What is stored is the scoring model: steps appended with
/// <c>TransformerScope.Training</c> (or TrainTest) and augmentation are left out. Loading rebuilds the chain with public
/// API only.
/// </summary>
internal static class SegmentationModelStore
{
    private const string Format = "mlseg-pipeline/1";
    private const string IndexEntry = "pipeline.json";
    private const string InputEntry = "input.mlnet.zip";

    private sealed record Part(string Kind, string? Entry, SegmentationColumns? Columns = null, ColumnTransformRecord? Transform = null);

    private sealed record Index(string Format, IReadOnlyList<Part> Parts);

    public static void Save(MLContext context, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var flat = Flatten(model).Where(t => t is not AugmentationTransformer).ToList();
        IO.AtomicFile.Write(path, file =>
        {
            using var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true);
            using (var stream = zip.CreateEntry(InputEntry).Open())
                context.Model.Save(new TransformerChain<ITransformer>(), ScoringSchema(flat, inputSchema), stream);
            var parts = new List<Part>();
            var schema = inputSchema;
            var run = new List<ITransformer>();
            void FlushRun()
            {
                if (run.Count == 0) return;
                var chain = new TransformerChain<ITransformer>(run.ToArray());
                string entry = $"part-{parts.Count}.mlnet.zip";
                using (var stream = zip.CreateEntry(entry).Open()) context.Model.Save(chain, schema, stream);
                schema = chain.GetOutputSchema(schema);
                parts.Add(new Part("mlnet", entry, null));
                run.Clear();
            }
            foreach (var transformer in flat)
            {
                if (transformer is ColumnTransformer column)
                {
                    FlushRun();
                    schema = column.GetOutputSchema(schema);
                    parts.Add(new Part("column", null, Transform: column.ToRecord()));
                    continue;
                }
                if (transformer is AddedColumnsTransformer and not SegmentationTransformer)
                    throw new NotSupportedException($"SaveModel cannot store {transformer.GetType().Name}");
                if (transformer is not SegmentationTransformer segmentation)
                {
                    run.Add(transformer);
                    continue;
                }
                FlushRun();
                string entry = $"part-{parts.Count}.mlseg.zip";
                string temporary = Path.Combine(Path.GetTempPath(), $"mlseg-{Guid.NewGuid():N}.zip");
                try
                {
                    SegmentationModelFile.Save(temporary, segmentation.Model, segmentation.Manifest);
                    using var stream = zip.CreateEntry(entry, CompressionLevel.NoCompression).Open();
                    using var source = File.OpenRead(temporary);
                    source.CopyTo(stream);
                }
                finally
                {
                    File.Delete(temporary);
                }
                schema = segmentation.GetOutputSchema(schema);
                parts.Add(new Part("segmentation", entry, segmentation.Columns));
            }
            FlushRun();
            using var index = zip.CreateEntry(IndexEntry).Open();
            JsonSerializer.Serialize(index, new Index(Format, parts), ArchitectureRegistry.JsonOptions);
        });
    }

    public static ITransformer Load(MLContext context, string path, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Engine.TorchRuntime.EnsureInitialized();
        if (!File.Exists(path)) throw new FileNotFoundException($"model file '{path}' does not exist", path);
        using var zip = OpenZip(path);
        var indexEntry = zip.GetEntry(IndexEntry) ?? throw Bad(path, $"it has no {IndexEntry}: not a pipeline saved by SaveModel");
        Index index;
        try
        {
            using var stream = indexEntry.Open();
            index = JsonSerializer.Deserialize<Index>(stream, ArchitectureRegistry.JsonOptions) ?? throw Bad(path, $"{IndexEntry} is empty");
        }
        catch (JsonException e)
        {
            throw Bad(path, $"{IndexEntry} is not valid: {e.Message}", e);
        }
        if (index.Format != Format) throw Bad(path, $"format '{index.Format}' is not {Format}");
        LoadMlNet(context, zip, InputEntry, path, out inputSchema);
        var transformers = new List<ITransformer>();
        try
        {
            foreach (var part in index.Parts)
            {
                if (part is { Kind: "mlnet", Entry: { } entry }) transformers.Add(LoadMlNet(context, zip, entry, path, out _));
                else if (part is { Kind: "segmentation", Entry: not null, Columns: not null }) transformers.Add(LoadSegmentation(context, zip, part, path));
                else if (part is { Kind: "column", Transform: { } record }) transformers.Add(LoadColumnTransform(record, path));
                else throw Bad(path, $"part '{part.Kind}' is unknown or incomplete");
            }
        }
        catch
        {
            foreach (var t in transformers.OfType<SegmentationTransformer>()) t.DisposeNetwork();
            throw;
        }
        return new TransformerChain<ITransformer>(transformers.ToArray());
    }

    private static ITransformer LoadMlNet(MLContext context, ZipArchive zip, string name, string path, out DataViewSchema schema)
    {
        var entry = zip.GetEntry(name) ?? throw Bad(path, $"entry '{name}' is missing");
        using var buffer = new MemoryStream();
        using (var stream = entry.Open()) stream.CopyTo(buffer);
        buffer.Position = 0;
        return context.Model.Load(buffer, out schema);
    }

    private static ColumnTransformer LoadColumnTransform(ColumnTransformRecord record, string path)
    {
        try
        {
            return record.Create();
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            throw Bad(path, e.Message, e);
        }
    }

    private static SegmentationTransformer LoadSegmentation(MLContext context, ZipArchive zip, Part part, string path)
    {
        var entry = zip.GetEntry(part.Entry!) ?? throw Bad(path, $"entry '{part.Entry}' is missing");
        // ML.NET's rule: GpuDeviceId picks a CUDA device, which must exist unless FallbackToCpu is set.
        var device = Engine.Devices.FromMLContext(context.GpuDeviceId, context.FallbackToCpu);
        string temporary = Path.Combine(Path.GetTempPath(), $"mlseg-{Guid.NewGuid():N}.zip");
        try
        {
            using (var stream = entry.Open())
            using (var file = File.Create(temporary))
                stream.CopyTo(file);
            var loaded = SegmentationModelFile.Load(temporary);
            try
            {
                return new SegmentationTransformer(loaded.Model, loaded.Manifest, part.Columns!, device);
            }
            catch
            {
                loaded.Dispose();
                throw;
            }
        }
        catch (InvalidDataException e)
        {
            throw Bad(path, $"{part.Entry}: {e.Message}", e);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    // The input schema scoring needs: each column the scoring chain's schema propagation does without is left out (the mask
    // path, the label), so that CreatePredictionEngine on the loaded model takes rows holding only the image.
    private static DataViewSchema ScoringSchema(IReadOnlyList<ITransformer> scoring, DataViewSchema inputSchema)
    {
        var kept = inputSchema.Where(c => !c.IsHidden).ToList();
        foreach (var column in kept.ToArray())
        {
            var without = Schema(kept.Where(c => c.Index != column.Index));
            if (Propagates(scoring, without)) kept.Remove(column);
        }
        return Schema(kept);
    }

    private static DataViewSchema Schema(IEnumerable<DataViewSchema.Column> columns)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var c in columns) builder.AddColumn(c.Name, c.Type, c.Annotations);
        return builder.ToSchema();
    }

    private static bool Propagates(IReadOnlyList<ITransformer> scoring, DataViewSchema schema)
    {
        try
        {
            foreach (var transformer in scoring) schema = transformer.GetOutputSchema(schema);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return false;
        }
    }

    // Chains are unrolled to their scoring model: TransformerChain<T>.GetModelFor(TransformerScope.Scoring).
    private static IEnumerable<ITransformer> Flatten(ITransformer transformer)
    {
        var type = transformer.GetType();
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(TransformerChain<>))
            transformer = (ITransformer)type.GetMethod(nameof(TransformerChain<ITransformer>.GetModelFor))!.Invoke(transformer, [TransformerScope.Scoring])!;
        if (transformer is IEnumerable<ITransformer> chain)
        {
            foreach (var inner in chain)
                foreach (var t in Flatten(inner))
                    yield return t;
        }
        else yield return transformer;
    }

    private static ZipArchive OpenZip(string path)
    {
        try
        {
            return ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw Bad(path, "it is not a zip archive", e);
        }
    }

    private static InvalidDataException Bad(string path, string message, Exception? inner = null) =>
        new($"pipeline file '{path}': {message}", inner);
}
