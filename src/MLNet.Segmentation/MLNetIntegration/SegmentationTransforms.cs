using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>Column transforms for segmentation pipelines (stateless: fitting only checks the schema).</summary>
public sealed class SegmentationTransforms
{
    internal SegmentationTransforms(MLContext context) => _ = context;

    /// <summary>
    /// Decodes masks (path or PNG bytes column <paramref name="inputColumnName"/>) into class ids (Vector&lt;UInt32&gt;,
    /// H x W row-major) in <paramref name="outputColumnName"/>.
    /// </summary>
    public ColumnTransformEstimator LoadMasks(string outputColumnName, string inputColumnName, MaskOptions? options = null) =>
        new(new MaskLoadingTransformer(outputColumnName, inputColumnName, options ?? new MaskOptions()), inputColumnName, NumberDataViewType.UInt32);

    /// <summary>
    /// Decodes images (path or PNG/JPEG bytes) into planar C x H x W floats in [0, 1] (Vector&lt;Single&gt;), the layout
    /// of <see cref="PixelLayout"/> with Scale 1.
    /// </summary>
    public ColumnTransformEstimator LoadImages(string outputColumnName, string inputColumnName, int channels = 3) =>
        new(new ImageLoadingTransformer(outputColumnName, inputColumnName, channels), inputColumnName, NumberDataViewType.Single);

    /// <summary>
    /// Joint image/mask augmentation (e.g. <c>Pipelines.ShapesTrain()</c>, or a <see cref="Data.Transforms.Compose"/> of
    /// crops, flips, rotations, colour jitter) applied by the segmentation trainer that directly follows, anew in every
    /// epoch. Append it with <c>TransformerScope.Training</c>; rows pass through unchanged.
    /// </summary>
    public AugmentationEstimator Augment(Data.Transforms.IJointTransform augmentation, string imageColumnName = "Image", string labelColumnName = "Label") =>
        new(augmentation, imageColumnName, labelColumnName);

    /// <summary>Per-channel (x - mean) / std of a planar C x H x W float column.</summary>
    public ColumnTransformEstimator NormalizeImage(string outputColumnName, string inputColumnName, float[] mean, float[] std) =>
        new(new ImageNormalizingTransformer(outputColumnName, inputColumnName, mean, std), inputColumnName, NumberDataViewType.Single);
}

/// <summary>An estimator whose transformer is fixed in advance (no state to learn); fitting checks the schema.</summary>
public sealed class ColumnTransformEstimator : IEstimator<ITransformer>
{
    private readonly ColumnTransformer _transformer;
    private readonly string _input;
    private readonly DataViewType _outputItem;

    internal ColumnTransformEstimator(ColumnTransformer transformer, string input, DataViewType outputItem) =>
        (_transformer, _input, _outputItem) = (transformer, input, outputItem);

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
        _transformer.Check(ColumnInputs.Find(inputSchema, "input", _input));
        return SchemaShapes.WithVector(inputSchema, _transformer.OutputColumnName, _outputItem);
    }
}

/// <summary>Base of the one-column transforms.</summary>
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

    private protected abstract DataViewType OutputType { get; }

    internal abstract void Check(ColumnInputs.ColumnInfo input);

    /// <summary>The settings <c>SaveModel</c> stores to rebuild this transform.</summary>
    internal abstract ColumnTransformRecord ToRecord();

    /// <inheritdoc />
    protected override IEnumerable<string> InputColumnNames => [InputColumnName];

    /// <inheritdoc />
    protected override IReadOnlyList<(string Name, DataViewType Type)> AddedColumns(DataViewSchema inputSchema)
    {
        Check(ColumnInputs.Find(inputSchema, "input", InputColumnName));
        return [(OutputColumnName, OutputType)];
    }

    /// <summary>Not supported by ML.NET's model format: save pipelines with <c>mlContext.Segmentation().SaveModel</c>.</summary>
    public override void Save(ModelSaveContext ctx) =>
        throw new NotSupportedException($"{GetType().Name} cannot be saved by mlContext.Model.Save; use mlContext.Segmentation().SaveModel(model, inputSchema, path)");
}

/// <summary>Mask files or PNG bytes → class ids.</summary>
public sealed class MaskLoadingTransformer : ColumnTransformer
{
    private readonly MaskReader _reader;

    internal MaskLoadingTransformer(string output, string input, MaskOptions options) : base(output, input)
    {
        Options = options;
        _reader = new MaskReader(options);
    }

    /// <summary>How masks are decoded.</summary>
    public MaskOptions Options { get; }

    private protected override DataViewType OutputType => new VectorDataViewType(NumberDataViewType.UInt32);

    internal override ColumnTransformRecord ToRecord() =>
        new(ColumnTransformRecord.LoadMasks, OutputColumnName, InputColumnName, Mask: ColumnTransformRecord.MaskSettings.From(Options));

    internal override void Check(ColumnInputs.ColumnInfo input)
    {
        if (ColumnInputs.MaskFormat(input) is not (ColumnFormat.Path or ColumnFormat.EncodedBytes))
            throw SchemaErrors.Mismatch("input", input.Name, "String (mask path) or Vector<Byte> (PNG bytes)", input.TypeText);
    }

    /// <inheritdoc />
    protected override object[] Compute(DataViewRow input, DataViewSchema inputSchema)
    {
        var column = inputSchema[InputColumnName];
        using var mask = ColumnInputs.MaskReader(input, column, ColumnInputs.MaskFormat(ColumnInputs.ColumnInfo.From(column)), _reader)(0, 0);
        using var ids = mask.to_type(ScalarType.Int64);
        return [Array.ConvertAll(TensorData.ToArray<long>(ids), v => (uint)v)];
    }
}

/// <summary>Image files or bytes → planar float pixels in [0, 1].</summary>
public sealed class ImageLoadingTransformer : ColumnTransformer
{
    internal ImageLoadingTransformer(string output, string input, int channels) : base(output, input) =>
        Channels = channels is 1 or 3 ? channels : throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 or 3");

    /// <summary>Channels decoded (1 or 3).</summary>
    public int Channels { get; }

    private protected override DataViewType OutputType => new VectorDataViewType(NumberDataViewType.Single);

    internal override ColumnTransformRecord ToRecord() => new(ColumnTransformRecord.LoadImages, OutputColumnName, InputColumnName, Channels: Channels);

    internal override void Check(ColumnInputs.ColumnInfo input)
    {
        if (ColumnInputs.ImageFormat(input) is not (ColumnFormat.Path or ColumnFormat.EncodedBytes))
            throw SchemaErrors.Mismatch("input", input.Name, "String (image path) or Vector<Byte> (PNG/JPEG bytes)", input.TypeText);
    }

    /// <inheritdoc />
    protected override object[] Compute(DataViewRow input, DataViewSchema inputSchema)
    {
        var column = inputSchema[InputColumnName];
        using var image = ColumnInputs.ImageReader(input, column, ColumnInputs.ImageFormat(ColumnInputs.ColumnInfo.From(column)), Channels, null)();
        return [TensorData.ToArray<float>(image)];
    }
}

/// <summary>Per-channel normalization of planar float pixels.</summary>
public sealed class ImageNormalizingTransformer : ColumnTransformer
{
    internal ImageNormalizingTransformer(string output, string input, float[] mean, float[] std) : base(output, input)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length) throw new ArgumentException("mean and std need the same, non-zero length");
        if (std.Any(s => !(s > 0))) throw new ArgumentOutOfRangeException(nameof(std), "standard deviations must be positive");
        (Mean, Std) = ((float[])mean.Clone(), (float[])std.Clone());
    }

    /// <summary>Channel means.</summary>
    public IReadOnlyList<float> Mean { get; }

    /// <summary>Channel standard deviations.</summary>
    public IReadOnlyList<float> Std { get; }

    private protected override DataViewType OutputType => new VectorDataViewType(NumberDataViewType.Single);

    internal override ColumnTransformRecord ToRecord() =>
        new(ColumnTransformRecord.NormalizeImage, OutputColumnName, InputColumnName, Mean: [.. Mean], Std: [.. Std]);

    internal override void Check(ColumnInputs.ColumnInfo input)
    {
        if (input.IsScalar || input.ItemType != NumberDataViewType.Single)
            throw SchemaErrors.Mismatch("input", input.Name, "Vector<Single> (planar pixels)", input.TypeText);
    }

    /// <inheritdoc />
    protected override object[] Compute(DataViewRow input, DataViewSchema inputSchema)
    {
        var getter = input.GetGetter<VBuffer<float>>(inputSchema[InputColumnName]);
        VBuffer<float> buffer = default;
        getter(ref buffer);
        var values = buffer.DenseValues().ToArray();
        int channels = Mean.Count;
        if (values.Length % channels != 0)
            throw new InvalidDataException($"row {input.Position} of column '{InputColumnName}' has {values.Length} values, not a multiple of {channels} channels");
        int plane = values.Length / channels;
        for (int c = 0; c < channels; c++)
            for (int i = c * plane; i < (c + 1) * plane; i++) values[i] = (values[i] - Mean[c]) / Std[c];
        return [values];
    }
}
