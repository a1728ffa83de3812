using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// Adds columns to a <see cref="SchemaShape"/> with public API only (its column constructor is internal to ML.NET):
/// a CustomMapping estimator with no inputs and one output column of the wanted type reports the shape.
/// </summary>
internal static class SchemaShapes
{
    private static readonly MLContext Context = new();

    public static SchemaShape WithVector(SchemaShape input, string name, DataViewType itemType)
    {
        if (itemType == NumberDataViewType.UInt32) return With<UInt32Vector>(input, name);
        if (itemType == NumberDataViewType.Single) return With<SingleVector>(input, name);
        throw new ArgumentOutOfRangeException(nameof(itemType), itemType, "only UInt32 and Single vectors are added");
    }

    private static SchemaShape With<TRow>(SchemaShape input, string name) where TRow : class, new()
    {
        var output = SchemaDefinition.Create(typeof(TRow));
        output[0].ColumnName = name;
        var estimator = Context.Transforms.CustomMapping<NoColumns, TRow>((_, _) => { }, contractName: null, outputSchemaDefinition: output);
        return estimator.GetOutputSchema(input);
    }

    /// <summary>No input columns.</summary>
    public sealed class NoColumns;

    /// <summary>One variable-length UInt32 vector column.</summary>
    public sealed class UInt32Vector
    {
        /// <summary>The values.</summary>
        public uint[] Value = [];
    }

    /// <summary>One variable-length Single vector column.</summary>
    public sealed class SingleVector
    {
        /// <summary>The values.</summary>
        public float[] Value = [];
    }
}
