using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>Image files, bytes or MLImages → planar float pixels in [0, 1].</summary>
public sealed class ImageLoadingTransformer : ColumnTransformer
{
    internal ImageLoadingTransformer(string output, string input, int channels) : base(output, input) =>
        Channels = channels is 1 or 3 ? channels : throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 or 3");

    /// <summary>Channels decoded (1 or 3).</summary>
    public int Channels { get; }

    internal override ColumnTransformRecord ToRecord() => new(ColumnTransformRecord.LoadImages, OutputColumnName, InputColumnName) { Channels = Channels };

    private protected override DataViewType OutputType(Func<string, ColumnInputs.ColumnInfo?> find)
    {
        var input = find(InputColumnName)!.Value;
        if (ColumnInputs.ImageFormat(input) is not (ColumnFormat.Path or ColumnFormat.EncodedBytes or ColumnFormat.Image))
            throw SchemaErrors.Mismatch("input", input.Name, "String (image path), Image (MLImage) or Vector<Byte> (PNG/JPEG bytes)", input.TypeText);
        return input.Size is { } size
            ? new VectorDataViewType(NumberDataViewType.Single, Channels, size.Height, size.Width)
            : new VectorDataViewType(NumberDataViewType.Single);
    }

    private protected override Func<object[]> Bind(DataViewRow input, DataViewSchema inputSchema)
    {
        var reader = new PlanarImageReader(input, inputSchema[InputColumnName], Channels, null);
        return () => [reader.Read().Values];
    }
}

/// <summary>Per-channel normalization of planar float pixels.</summary>
public sealed class ImageNormalizingTransformer : ColumnTransformer
{
    private readonly float[] _mean, _std;

    internal ImageNormalizingTransformer(string output, string input, float[] mean, float[] std) : base(output, input)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length) throw new ArgumentException("mean and std need the same, non-zero length");
        if (std.Any(s => !(s > 0))) throw new ArgumentOutOfRangeException(nameof(std), "standard deviations must be positive");
        (_mean, _std) = ((float[])mean.Clone(), (float[])std.Clone());
    }

    /// <summary>Channel means.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>Channel standard deviations.</summary>
    public IReadOnlyList<float> Std => _std;

    internal override ColumnTransformRecord ToRecord() =>
        new(ColumnTransformRecord.NormalizeImage, OutputColumnName, InputColumnName) { Mean = [.. Mean], Std = [.. Std] };

    private protected override DataViewType OutputType(Func<string, ColumnInputs.ColumnInfo?> find)
    {
        var input = find(InputColumnName)!.Value;
        if (input.IsScalar || input.ItemType != NumberDataViewType.Single)
            throw SchemaErrors.Mismatch("input", input.Name, "Vector<Single> (planar pixels)", input.TypeText);
        return new VectorDataViewType(NumberDataViewType.Single);
    }

    private protected override Func<object[]> Bind(DataViewRow input, DataViewSchema inputSchema)
    {
        var getter = input.GetGetter<VBuffer<float>>(inputSchema[InputColumnName]);
        VBuffer<float> buffer = default;
        return () =>
        {
            getter(ref buffer);
            var values = buffer.DenseValues().ToArray();
            int channels = _mean.Length;
            if (values.Length % channels != 0)
                throw new InvalidDataException($"row {input.Position} of column '{InputColumnName}' has {values.Length} values, not a multiple of {channels} channels");
            int plane = values.Length / channels;
            for (int c = 0; c < channels; c++)
                for (int i = c * plane; i < (c + 1) * plane; i++) values[i] = (values[i] - _mean[c]) / _std[c];
            return [values];
        };
    }
}
