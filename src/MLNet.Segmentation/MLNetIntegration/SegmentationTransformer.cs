using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Inference;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Models;
using static TorchSharp.torch;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>The columns a fitted segmentation transformer reads and writes.</summary>
public sealed record SegmentationColumns
{
    /// <summary>Input image column (path, PNG/JPEG bytes or pixel vector).</summary>
    public required string ImageColumnName { get; init; }

    /// <summary>Output column of class ids (Vector&lt;UInt32&gt;, H x W row-major).</summary>
    public required string PredictedLabelColumnName { get; init; }

    /// <summary>Output column of probabilities (Vector&lt;Single&gt;, K x H x W), or null.</summary>
    public string? ScoreColumnName { get; init; }

    /// <summary>Shape of a pixel-vector image column.</summary>
    public PixelLayout? PixelLayout { get; init; }
}

/// <summary>
/// A trained segmentation network as an ML.NET transformer: appends the predicted class-id mask (and optionally the
/// class probabilities) to every row. Works in <c>Transform</c> and <c>PredictionEngine</c>. Save it with
/// <c>mlContext.Segmentation().SaveModel</c>: ML.NET's own model zip cannot hold third-party transformers.
/// </summary>
public sealed class SegmentationTransformer : AddedColumnsTransformer, IDisposable
{
    private readonly SegmentationPredictor _predictor;

    /// <summary>Wraps a trained network (the transformer owns and disposes it).</summary>
    public SegmentationTransformer(SegmentationModel model, ModelManifest manifest, SegmentationColumns columns, Device? device = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Manifest = manifest ?? throw new ArgumentNullException(nameof(manifest));
        Columns = columns ?? throw new ArgumentNullException(nameof(columns));
        _predictor = new SegmentationPredictor(model, new PredictorOptions { Mean = manifest.Mean, Std = manifest.Std, Device = device });
    }

    /// <summary>The network (eval mode).</summary>
    public SegmentationModel Model { get; }

    /// <summary>Classes, colours and normalization of the network.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The columns read and written.</summary>
    public SegmentationColumns Columns { get; }

    /// <inheritdoc />
    protected override IEnumerable<string> InputColumnNames => [Columns.ImageColumnName];

    /// <inheritdoc />
    protected override IReadOnlyList<(string Name, DataViewType Type)> AddedColumns(DataViewSchema inputSchema)
    {
        var format = ColumnInputs.ImageFormat(ColumnInputs.Find(inputSchema, "image", Columns.ImageColumnName));
        if (format == ColumnFormat.Pixels && Columns.PixelLayout is null)
            throw SchemaErrors.Mismatch("image", Columns.ImageColumnName, "a PixelLayout for Vector<Single> pixels (none was given at training)", "Vector<Single>");
        var added = new List<(string, DataViewType)> { (Columns.PredictedLabelColumnName, new VectorDataViewType(NumberDataViewType.UInt32)) };
        if (Columns.ScoreColumnName is { } score) added.Add((score, new VectorDataViewType(NumberDataViewType.Single)));
        return added;
    }

    /// <inheritdoc />
    protected override object[] Compute(DataViewRow input, DataViewSchema inputSchema)
    {
        var column = inputSchema[Columns.ImageColumnName];
        var format = ColumnInputs.ImageFormat(ColumnInputs.ColumnInfo.From(column));
        using var scope = NewDisposeScope();
        var image = ColumnInputs.ImageReader(input, column, format, Manifest.InChannels, Columns.PixelLayout)();
        using var prediction = _predictor.Predict(image);
        var ids = TensorData.ToArray<int>(prediction.ClassIds.select(0, 0).to_type(ScalarType.Int32));
        var result = new List<object> { Array.ConvertAll(ids, v => (uint)v) };
        if (Columns.ScoreColumnName is not null) result.Add(TensorData.ToArray<float>(prediction.Probabilities.select(0, 0)));
        return [.. result];
    }

    /// <summary>Always throws: ML.NET's model format is closed to third-party transformers.</summary>
    public override void Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("a pipeline holding a SegmentationTransformer cannot be saved by mlContext.Model.Save; use " +
                                        "mlContext.Segmentation().SaveModel(model, inputSchema, path) and LoadModel(path, out schema)");

    /// <summary>Frees the network.</summary>
    public void Dispose() => Model.Dispose();
}
