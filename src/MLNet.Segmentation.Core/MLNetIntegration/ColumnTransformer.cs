using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>An estimator whose transformer is fixed in advance (no state to learn); fitting checks the schema.</summary>
public sealed class ColumnTransformEstimator : IEstimator<ITransformer>
{
    private readonly ColumnTransformer _transformer;

    internal ColumnTransformEstimator(ColumnTransformer transformer) => _transformer = transformer;

    /// <inheritdoc />
    public ITransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _transformer.GetOutputSchema(input.Schema);
        return _transformer;
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return _transformer.OutputShape(inputSchema);
    }
}

/// <summary>
/// Base of the column transforms of <see cref="SegmentationTransforms"/>: one output column computed from an input column
/// (and, for overlays, an image column). Mask steps (LoadMasks, ResizeMasks) pass rows through unchanged when their input
/// column is absent, so one pipeline trains, evaluates (masks present) and scores (no masks) without TransformerScope.
/// </summary>
public abstract class ColumnTransformer : AddedColumnsTransformer
{
    private protected ColumnTransformer(string output, string input)
    {
        ArgumentException.ThrowIfNullOrEmpty(output);
        ArgumentException.ThrowIfNullOrEmpty(input);
        (OutputColumnName, InputColumnName) = (output, input);
    }

    /// <summary>The column written.</summary>
    public string OutputColumnName { get; }

    /// <summary>The column read.</summary>
    public string InputColumnName { get; }

    /// <summary>True for mask steps: without their input column they add nothing (scoring rows carry no mask).</summary>
    public virtual bool IsMaskStep => false;

    /// <summary>Checks the input columns (looked up by name; null when absent) and gives the output column's type.</summary>
    private protected abstract DataViewType OutputType(Func<string, ColumnInputs.ColumnInfo?> find);

    /// <summary>Annotations of the output column.</summary>
    private protected virtual DataViewSchema.Annotations? OutputAnnotations => null;

    /// <summary>The settings <c>SaveModel</c> stores to rebuild this transform.</summary>
    internal abstract ColumnTransformRecord ToRecord();

    /// <inheritdoc />
    private protected override IEnumerable<string> InputColumnNames => [InputColumnName];

    /// <inheritdoc />
    private protected override IReadOnlyList<AddedColumn> AddedColumns(DataViewSchema inputSchema) =>
        Added(name => inputSchema.GetColumnOrNull(name) is { } c ? ColumnInputs.ColumnInfo.From(c) : null);

    internal SchemaShape OutputShape(SchemaShape inputSchema)
    {
        var shape = inputSchema;
        foreach (var column in Added(name => inputSchema.FirstOrDefault(c => c.Name == name) is { Name: not null } c ? ColumnInputs.ColumnInfo.From(c) : null))
            shape = SchemaShapes.With(shape, column.Name, column.Type);
        return shape;
    }

    private IReadOnlyList<AddedColumn> Added(Func<string, ColumnInputs.ColumnInfo?> find)
    {
        if (find(InputColumnName) is null)
        {
            if (IsMaskStep) return [];
            throw SchemaErrors.Missing("input", InputColumnName);
        }
        return [new AddedColumn(OutputColumnName, OutputType(find), OutputAnnotations)];
    }

    /// <summary>Not supported by ML.NET's model format: save pipelines with <c>mlContext.Segmentation().SaveModel</c>.</summary>
    public override void Save(ModelSaveContext ctx) =>
        throw new NotSupportedException($"{GetType().Name} cannot be saved by mlContext.Model.Save; use mlContext.Segmentation().SaveModel(model, inputSchema, path)");
}
