using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Segmentation.Inference;
using MLNet.Segmentation.ModelFiles;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// Per-pixel class scores (a Vector&lt;Single&gt; of K x H x W, e.g. the "logits" of an exported network scored by ML.NET's
/// <c>ApplyOnnxModel</c>) → class ids (Vector&lt;UInt32&gt;, H x W row-major, the first class on ties), the column a
/// segmentation trainer's model writes, with the class names annotated, so ColorizeMask, OverlayMask and Evaluate take
/// it alike. K, H and W come from the column's dimensions ([K, H, W] or [1, K, H, W]) or from the given class count and size.
/// </summary>
public sealed class ArgMaxMaskTransformer : ColumnTransformer
{
    private readonly ReadOnlyMemory<char>[] _names;

    internal ArgMaxMaskTransformer(string output, string input, IReadOnlyList<string>? classNames, int? numberOfClasses, int? height, int? width)
        : base(output, input)
    {
        if (numberOfClasses is { } k && (k < 1 || k > ModelManifest.MaxClasses))
            throw new ArgumentOutOfRangeException(nameof(numberOfClasses), k, $"the class count must be in 1..{ModelManifest.MaxClasses}");
        if (classNames is not null && numberOfClasses is { } count && classNames.Count != count)
            throw new ArgumentException($"{classNames.Count} class names for {count} classes", nameof(classNames));
        if (classNames is { Count: 0 or > ModelManifest.MaxClasses })
            throw new ArgumentException($"give 1..{ModelManifest.MaxClasses} class names, not {classNames.Count}", nameof(classNames));
        if ((height is null) != (width is null) || height is < 1 || width is < 1)
            throw new ArgumentException("give both height and width (positive), or neither");
        ClassNames = classNames?.ToArray();
        NumberOfClasses = numberOfClasses ?? classNames?.Count;
        (Height, Width) = (height, width);
        _names = ClassNames?.Select(n => n.AsMemory()).ToArray() ?? [];
    }

    /// <summary>The class names annotated on the output, or null (then "class i").</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The class count given at construction, or null (taken from the input's dimensions).</summary>
    public int? NumberOfClasses { get; }

    /// <summary>The mask height given at construction, or null (taken from the input's dimensions).</summary>
    public int? Height { get; }

    /// <summary>The mask width given at construction, or null (taken from the input's dimensions).</summary>
    public int? Width { get; }

    internal override ColumnTransformRecord ToRecord() => new(ColumnTransformRecord.ArgMaxMask, OutputColumnName, InputColumnName)
    {
        ClassNames = ClassNames?.ToArray(), NumClasses = NumberOfClasses, Height = Height, Width = Width,
    };

    private (int K, int Height, int Width)? Shape(DataViewType type)
    {
        if (type is VectorDataViewType { IsKnownSize: true } vector)
        {
            var dims = vector.Dimensions;
            if (dims.Length == 4 && dims[0] == 1) dims = dims[1..];
            if (dims.Length == 3) return (dims[0], dims[1], dims[2]);
        }
        return NumberOfClasses is int k && Height is int h && Width is int w ? (k, h, w) : null;
    }

    private protected override DataViewType OutputType(Func<string, ColumnInputs.ColumnInfo?> find)
    {
        var input = find(InputColumnName)!.Value;
        if (input.IsScalar || input.ItemType != NumberDataViewType.Single)
            throw SchemaErrors.Mismatch("scores", input.Name, "Vector<Single> of K x H x W class scores", input.TypeText);
        // A schema shape carries no dimensions: the size given at construction, else one known only from a schema.
        return Height is int h && Width is int w ? new VectorDataViewType(NumberDataViewType.UInt32, h, w) : new VectorDataViewType(NumberDataViewType.UInt32);
    }

    private protected override IReadOnlyList<AddedColumn> AddedColumns(DataViewSchema inputSchema)
    {
        var column = inputSchema.GetColumnOrNull(InputColumnName) ?? throw SchemaErrors.Missing("scores", InputColumnName);
        _ = OutputType(_ => ColumnInputs.ColumnInfo.From(column));
        var shape = Shape(column.Type);
        if (shape is { } s) CheckClasses(s.K, column.Name);
        int? classes = shape?.K ?? NumberOfClasses;
        var type = shape is { } known ? new VectorDataViewType(NumberDataViewType.UInt32, known.Height, known.Width) : new VectorDataViewType(NumberDataViewType.UInt32);
        if (classes is not int k) return [new AddedColumn(OutputColumnName, type, null)];
        var names = _names.Length == k ? _names : Enumerable.Range(0, k).Select(i => $"class {i}".AsMemory()).ToArray();
        var annotations = new DataViewSchema.Annotations.Builder();
        annotations.Add(SegmentationAnnotations.ClassNames, new VectorDataViewType(TextDataViewType.Instance, k),
            (ref VBuffer<ReadOnlyMemory<char>> value) => value = new VBuffer<ReadOnlyMemory<char>>(k, names));
        return [new AddedColumn(OutputColumnName, type, annotations.ToAnnotations())];
    }

    private void CheckClasses(int k, string column)
    {
        if (k < 1 || k > ModelManifest.MaxClasses)
            throw new InvalidOperationException($"scores column '{column}' has {k} classes; class-id masks hold 1..{ModelManifest.MaxClasses}");
        if (NumberOfClasses is int given && given != k)
            throw new InvalidOperationException($"scores column '{column}' has {k} classes but ArgMaxMask was given {given}");
    }

    private protected override Func<object[]> Bind(DataViewRow input, DataViewSchema inputSchema)
    {
        var column = inputSchema[InputColumnName];
        var shape = Shape(column.Type);
        int? classes = shape?.K ?? NumberOfClasses;
        var getter = input.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        return () =>
        {
            getter(ref buffer);
            int k = classes ?? throw new InvalidDataException(
                $"row {input.Position}: scores column '{InputColumnName}' has no [K, H, W] dimensions; give ArgMaxMask the number of classes");
            if (buffer.Length == 0 || buffer.Length % k != 0)
                throw new InvalidDataException($"row {input.Position}: scores column '{InputColumnName}' has {buffer.Length} values, not K x H x W for {k} classes");
            int plane = buffer.Length / k;
            if (shape is { } s && s.Height * s.Width != plane)
                throw new InvalidDataException($"row {input.Position}: scores column '{InputColumnName}' has {buffer.Length} values, not {k} x {s.Height} x {s.Width}");
            ReadOnlySpan<float> scores = buffer.IsDense ? buffer.GetValues() : buffer.DenseValues().ToArray();
            var ids = new uint[plane];
            long nan = ClassScoreArgMax.Compute<uint>(scores, k, ids);
            if (nan >= 0)
                throw new InvalidDataException($"row {input.Position}: scores column '{InputColumnName}' holds NaN at pixel {nan % plane}, class {nan / plane}");
            return [ids];
        };
    }
}
