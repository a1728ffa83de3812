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
    /// <summary>Input image column (path, PNG/JPEG bytes, MLImage or pixel vector).</summary>
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
/// <remarks>
/// Not <see cref="IDisposable"/> on purpose: ML.NET disposes the transformers of a chain when a PredictionEngine made
/// from it is disposed (PredictionEngineOptions.OwnsTransformer is true by default), which must not take the network
/// down with it. The network's native memory is freed by the garbage collector, or at once by <see cref="DisposeNetwork"/>.
/// </remarks>
public sealed class SegmentationTransformer : AddedColumnsTransformer
{
    /// <summary>The annotation of the PredictedLabel column holding the class names (Vector&lt;String&gt;, K), read by Evaluate.</summary>
    public const string ClassNamesAnnotation = SegmentationAnnotations.ClassNames;

    private readonly SegmentationModel _model;
    private readonly SegmentationPredictor _predictor;
    private bool _disposed;

    /// <summary>Wraps a trained network (the transformer owns it; see <see cref="DisposeNetwork"/>).</summary>
    public SegmentationTransformer(SegmentationModel model, ModelManifest manifest, SegmentationColumns columns, Device? device = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        Manifest = manifest ?? throw new ArgumentNullException(nameof(manifest));
        Columns = columns ?? throw new ArgumentNullException(nameof(columns));
        _predictor = new SegmentationPredictor(model, new PredictorOptions { Mean = manifest.Mean, Std = manifest.Std, Device = device });
    }

    /// <summary>The network (eval mode).</summary>
    public SegmentationModel Model => _disposed ? throw Disposed() : _model;

    /// <summary>Classes, colours and normalization of the network.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The columns read and written.</summary>
    public SegmentationColumns Columns { get; }

    /// <summary>The device the network predicts on (ML.NET's GpuDeviceId / FallbackToCpu rule).</summary>
    public Device Device => _predictor.Device;

    /// <summary>Whether <see cref="DisposeNetwork"/> was called.</summary>
    public bool IsNetworkDisposed => _disposed;

    /// <inheritdoc />
    private protected override IEnumerable<string> InputColumnNames => [Columns.ImageColumnName];

    /// <inheritdoc />
    private protected override IReadOnlyList<AddedColumn> AddedColumns(DataViewSchema inputSchema)
    {
        var image = ColumnInputs.Find(inputSchema, "image", Columns.ImageColumnName);
        var format = ColumnInputs.ImageFormat(image);
        MLImages.RegisterType(inputSchema[Columns.ImageColumnName].Type);
        if (format == ColumnFormat.Pixels && Columns.PixelLayout is null)
            throw SchemaErrors.Mismatch("image", Columns.ImageColumnName, "a PixelLayout for Vector<Single> pixels (none was given at training)", "Vector<Single>");
        var size = Columns.PixelLayout is { } layout && format == ColumnFormat.Pixels ? (layout.Height, layout.Width) : image.Size;
        int classes = Manifest.NumClasses;
        var names = new DataViewSchema.Annotations.Builder();
        var classNames = Enumerable.Range(0, classes).Select(i => (i < Manifest.ClassNames.Count ? Manifest.ClassNames[i] : $"class {i}").AsMemory()).ToArray();
        names.Add(ClassNamesAnnotation, new VectorDataViewType(TextDataViewType.Instance, classes),
            (ref VBuffer<ReadOnlyMemory<char>> value) => value = new VBuffer<ReadOnlyMemory<char>>(classes, classNames));
        var added = new List<AddedColumn>
        {
            new(Columns.PredictedLabelColumnName, size is { } s
                ? new VectorDataViewType(NumberDataViewType.UInt32, s.Height, s.Width)
                : new VectorDataViewType(NumberDataViewType.UInt32), names.ToAnnotations()),
        };
        if (Columns.ScoreColumnName is { } score)
            added.Add(new(score, size is { } t
                ? new VectorDataViewType(NumberDataViewType.Single, classes, t.Height, t.Width)
                : new VectorDataViewType(NumberDataViewType.Single)));
        return added;
    }

    /// <inheritdoc />
    private protected override Func<object[]> Bind(DataViewRow input, DataViewSchema inputSchema)
    {
        var reader = new ImageColumnReader(input, inputSchema[Columns.ImageColumnName], Manifest.InChannels, Columns.PixelLayout);
        return () =>
        {
            if (_disposed) throw Disposed();
            using var scope = NewDisposeScope();
            var image = reader.Read();
            using var prediction = _predictor.Predict(image);
            var ids = TensorData.ToArray<int>(prediction.ClassIds.select(0, 0).to_type(ScalarType.Int32));
            var result = new List<object> { Array.ConvertAll(ids, v => (uint)v) };
            if (Columns.ScoreColumnName is not null) result.Add(TensorData.ToArray<float>(prediction.Probabilities.select(0, 0)));
            return [.. result];
        };
    }

    /// <summary>Always throws: ML.NET's model format is closed to third-party transformers.</summary>
    public override void Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("a pipeline holding a SegmentationTransformer cannot be saved by mlContext.Model.Save; use " +
                                        "mlContext.Segmentation().SaveModel(model, inputSchema, path) and LoadModel(path, out schema)");

    /// <summary>Frees the network's native memory now; the transformer cannot predict or be saved afterwards.</summary>
    public void DisposeNetwork()
    {
        if (_disposed) return;
        _disposed = true;
        _model.Dispose();
    }

    private static ObjectDisposedException Disposed() =>
        new(nameof(SegmentationTransformer), "its network was freed by DisposeNetwork(); load the model again to predict or save");
}
