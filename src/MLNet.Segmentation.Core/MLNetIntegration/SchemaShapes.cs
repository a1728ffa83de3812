using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// Adds columns to a <see cref="SchemaShape"/> with public API only (its column constructor and SchemaShape.Create are
/// internal to ML.NET): public estimators that make a column of the wanted type report its shape. Vectors come from a
/// CustomMapping with no inputs; images from a CustomMapping's text column through LoadImages (and ResizeImages for a size).
/// </summary>
internal static class SchemaShapes
{
    private const string Scratch = "mlseg.scratch";
    private static readonly MLContext Context = new();

    /// <summary><paramref name="input"/> with a variable-length vector column of <paramref name="itemType"/>.</summary>
    public static SchemaShape WithVector(SchemaShape input, string name, DataViewType itemType) =>
        With(input, name, new VectorDataViewType((PrimitiveDataViewType)itemType));

    /// <summary><paramref name="input"/> with a column of <paramref name="type"/> (a UInt32 or Single vector, or an image).</summary>
    public static SchemaShape With(SchemaShape input, string name, DataViewType type)
    {
        if (type is ImageDataViewType image)
        {
            var text = With<Text>(input, Scratch, TextDataViewType.Instance);
            IEstimator<ITransformer> load = Context.Transforms.LoadImages(name, imageFolder: null, inputColumnName: Scratch);
            if (image is { Height: > 0, Width: > 0 }) load = load.Append(Context.Transforms.ResizeImages(name, image.Width, image.Height));
            return new SchemaShape(load.GetOutputSchema(text).Where(c => c.Name != Scratch));
        }
        var item = type is VectorDataViewType vector ? vector.ItemType : type;
        if (item == NumberDataViewType.UInt32) return With<UInt32Vector>(input, name, type);
        if (item == NumberDataViewType.Single) return With<SingleVector>(input, name, type);
        throw new ArgumentOutOfRangeException(nameof(type), type, "only UInt32 and Single vectors and images are added");
    }

    private static SchemaShape With<TRow>(SchemaShape input, string name, DataViewType type) where TRow : class, new()
    {
        var output = SchemaDefinition.Create(typeof(TRow));
        output[0].ColumnName = name;
        output[0].ColumnType = type;
        var estimator = Context.Transforms.CustomMapping<NoColumns, TRow>((_, _) => { }, contractName: null, outputSchemaDefinition: output);
        return estimator.GetOutputSchema(input);
    }

    /// <summary>No input columns.</summary>
    public sealed class NoColumns;

    /// <summary>One text column.</summary>
    public sealed class Text
    {
        /// <summary>The value.</summary>
        public string Value = "";
    }

    /// <summary>One UInt32 vector column.</summary>
    public sealed class UInt32Vector
    {
        /// <summary>The values.</summary>
        public uint[] Value = [];
    }

    /// <summary>One Single vector column.</summary>
    public sealed class SingleVector
    {
        /// <summary>The values.</summary>
        public float[] Value = [];
    }
}
