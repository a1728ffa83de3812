using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Segmentation.Data.Transforms;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// Joint image/mask augmentation as a pipeline step. Append it directly before a segmentation trainer (with or without
/// <c>TransformerScope.Training</c>): the trainer then draws a new augmentation of every sample in every epoch, from the
/// MLContext's seed. The rows themselves pass through unchanged (augmenting a path column in place is impossible, and a
/// random step must never act at scoring time), so the fitted step is the identity in <c>Transform</c> and
/// <c>PredictionEngine</c>, and <c>SaveModel</c> leaves it out.
/// </summary>
public sealed class AugmentationEstimator : IEstimator<AugmentationTransformer>
{
    private readonly AugmentationTransformer _transformer;

    internal AugmentationEstimator(IJointTransform augmentation, string imageColumnName, string labelColumnName)
    {
        Engine.TorchRuntime.EnsureInitialized();
        _transformer = new AugmentationTransformer(augmentation, imageColumnName, labelColumnName);
    }

    /// <inheritdoc />
    public AugmentationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _transformer.GetOutputSchema(input.Schema);
        return _transformer;
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ColumnInputs.Find(inputSchema, "image", _transformer.ImageColumnName);
        return inputSchema;
    }
}

/// <summary>The fitted augmentation step: marks its output for the segmentation trainer that reads it; rows are unchanged.</summary>
public sealed class AugmentationTransformer : AddedColumnsTransformer
{
    internal AugmentationTransformer(IJointTransform augmentation, string imageColumnName, string labelColumnName)
    {
        ArgumentException.ThrowIfNullOrEmpty(imageColumnName);
        ArgumentException.ThrowIfNullOrEmpty(labelColumnName);
        Augmentation = augmentation ?? throw new ArgumentNullException(nameof(augmentation));
        (ImageColumnName, LabelColumnName) = (imageColumnName, labelColumnName);
    }

    /// <summary>The joint transform the trainer applies to each training sample.</summary>
    public IJointTransform Augmentation { get; }

    /// <summary>The image column the trainer must read.</summary>
    public string ImageColumnName { get; }

    /// <summary>The mask column the trainer must read.</summary>
    public string LabelColumnName { get; }

    /// <inheritdoc />
    private protected override IEnumerable<string> InputColumnNames => [];

    /// <inheritdoc />
    private protected override IReadOnlyList<AddedColumn> AddedColumns(DataViewSchema inputSchema)
    {
        // Scoring rows carry no mask: only the image column is required.
        ColumnInputs.Find(inputSchema, "image", ImageColumnName);
        return [];
    }

    /// <inheritdoc />
    private protected override Func<object[]> Bind(DataViewRow input, DataViewSchema inputSchema) => () => [];

    /// <summary>The input rows unchanged, marked so that a segmentation trainer reading them applies <see cref="Augmentation"/>.</summary>
    public override IDataView Transform(IDataView input) => new AugmentedDataView(base.Transform(input), this);

    /// <summary>Always throws: ML.NET's model format is closed to third-party transformers.</summary>
    public override void Save(ModelSaveContext ctx) =>
        throw new NotSupportedException("AugmentationTransformer cannot be saved by mlContext.Model.Save; use mlContext.Segmentation().SaveModel(model, inputSchema, path), which leaves the training-only augmentation out");
}

/// <summary>Rows passed through unchanged, carrying the augmentation for the trainer that reads them.</summary>
internal sealed class AugmentedDataView(IDataView source, AugmentationTransformer augmentation) : IDataView
{
    public IDataView Source => source;
    public AugmentationTransformer Augmentation => augmentation;
    public bool CanShuffle => source.CanShuffle;
    public DataViewSchema Schema => source.Schema;
    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        source.GetRowCursor(columnsNeeded, rand);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        source.GetRowCursorSet(columnsNeeded, n, rand);
}
