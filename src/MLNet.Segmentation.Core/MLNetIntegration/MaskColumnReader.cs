using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Segmentation.Data;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>The class ids of one mask, row-major.</summary>
internal readonly record struct MaskIds(long[] Ids, int Height, int Width);

/// <summary>
/// Reads the mask of the current row from any mask <see cref="ColumnFormat"/> into validated class ids. Every format goes
/// through the same <see cref="MaskReader"/> rules: the encoding (Binary thresholds at 128 on paths, bytes, gray MLImages
/// and value vectors alike) and the range check against NumClasses / IgnoreIndex. Errors name the column and the row
/// (and the file, pixel and value).
/// </summary>
internal sealed class MaskColumnReader
{
    private readonly Func<int, int, MaskIds> _read;
    private readonly DataViewRow _row;
    private readonly string _role, _name;

    public MaskColumnReader(DataViewRow row, DataViewSchema.Column column, MaskOptions options, string role = "label")
    {
        ArgumentNullException.ThrowIfNull(options);
        (_row, _role, _name) = (row, role, column.Name);
        var info = ColumnInputs.ColumnInfo.From(column);
        Format = ColumnInputs.MaskFormat(info);
        KnownSize = Format == ColumnFormat.ClassIds ? info.Size : null;
        bool decoded = ColumnInputs.IsDecodedMask(column);
        var reader = new MaskReader(decoded ? options with { Encoding = MaskEncoding.ClassIds } : options);
        switch (Format)
        {
            case ColumnFormat.Path:
            {
                var getter = row.GetGetter<ReadOnlyMemory<char>>(column);
                ReadOnlyMemory<char> text = default;
                _read = (_, _) =>
                {
                    getter(ref text);
                    var ids = reader.ReadIds(text.ToString(), out int width, out int height);
                    return new MaskIds(ids, height, width);
                };
                break;
            }
            case ColumnFormat.EncodedBytes:
            {
                var getter = row.GetGetter<VBuffer<byte>>(column);
                VBuffer<byte> bytes = default;
                _read = (_, _) =>
                {
                    getter(ref bytes);
                    var ids = reader.DecodeIds(bytes.DenseValues().ToArray(), "the encoded mask", out int width, out int height);
                    return new MaskIds(ids, height, width);
                };
                break;
            }
            case ColumnFormat.Image:
            {
                var getter = row.GetGetter<MLImage>(column);
                MLImage image = null!;
                _read = (_, _) =>
                {
                    getter(ref image);
                    if (image is null) throw new InvalidDataException("it holds no image");
                    var gray = MLImages.ToImage(image, preferGray: true, "the MLImage");
                    var ids = new long[gray.Width * gray.Height];
                    reader.Fill(gray, ids, "the MLImage mask");
                    return new MaskIds(ids, gray.Height, gray.Width);
                };
                break;
            }
            default:
            {
                if (!decoded && options.Encoding is not (MaskEncoding.Auto or MaskEncoding.ClassIds or MaskEncoding.Binary))
                    throw new ArgumentException($"{role} column '{column.Name}' holds one value per pixel: MaskEncoding.{options.Encoding} needs a mask " +
                                                "image (path, PNG bytes or MLImage); use ClassIds or Binary");
                var values = ValueReader(row, column, options.IgnoreIndex);
                _read = (height, width) =>
                {
                    long[] raw = values();
                    // Without dimensions or a size to check against, the vector is taken as one row of pixels.
                    (height, width) = KnownSize ?? ((long)height * width == 0 ? (1, raw.Length) : (height, width));
                    if (raw.Length != (long)height * width)
                        throw new InvalidDataException($"it has {raw.Length} class ids but the image has {width}x{height} pixels; resize masks " +
                                                       "with mlContext.Segmentation().Transforms.ResizeMasks to the image size");
                    var ids = new long[raw.Length];
                    reader.Fill(AsImage(raw, width, height), ids, "the class-id vector");
                    return new MaskIds(ids, height, width);
                };
                break;
            }
        }
    }

    /// <summary>How the column stores masks.</summary>
    public ColumnFormat Format { get; }

    /// <summary>The H x W of a class-id vector column with known dimensions, else null.</summary>
    public (int Height, int Width)? KnownSize { get; }

    /// <summary>
    /// The current row's ids; a class-id vector without dimensions is taken as <paramref name="height"/> x <paramref name="width"/>
    /// (its length is checked against them), or as one row when they are 0.
    /// </summary>
    public MaskIds Read(int height = 0, int width = 0)
    {
        try
        {
            return _read(height, width);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{_role} column '{_name}', row {_row.Position}: {e.Message}", e);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"{_role} column '{_name}', row {_row.Position}: {e.Message}", e.FileName, e);
        }
    }

    // Whole numbers in 0..65535 as an 8- or 16-bit gray image, so that MaskReader's encodings and checks apply unchanged.
    private static Image AsImage(long[] raw, int width, int height)
    {
        long max = 0;
        for (int k = 0; k < raw.Length; k++)
        {
            long v = raw[k];
            if (v is < 0 or > ushort.MaxValue)
            {
                string value = v switch { NotWhole => "a fractional or NaN value", MissingKey => "key 0 (a missing value; set an IgnoreIndex for it)", _ => $"value {v}" };
                throw new InvalidDataException($"{value} at pixel ({k % width}, {k / width}) is not a class id (whole numbers 0..65535)");
            }
            max = Math.Max(max, v);
        }
        if (max <= byte.MaxValue) return new Image(width, height, 1, Array.ConvertAll(raw, v => (byte)v));
        return new Image(width, height, 1, Array.ConvertAll(raw, v => (ushort)v));
    }

    private const long NotWhole = long.MinValue, MissingKey = long.MinValue + 1;

    // Values of the current row as longs; fractional or NaN values and missing keys become sentinels that AsImage rejects.
    private static Func<long[]> ValueReader(DataViewRow row, DataViewSchema.Column column, long? ignoreIndex)
    {
        var item = ((VectorDataViewType)column.Type).ItemType;
        if (item is KeyDataViewType)
        {
            // Keys are 1-based; key 0 is a missing value, which only the ignore index can stand for.
            long missing = ignoreIndex ?? MissingKey;
            return Values<uint>(row, column, v => v == 0 ? missing : v - 1L);
        }
        if (item == NumberDataViewType.Byte) return Values<byte>(row, column, v => v);
        if (item == NumberDataViewType.UInt16) return Values<ushort>(row, column, v => v);
        if (item == NumberDataViewType.UInt32) return Values<uint>(row, column, v => v);
        if (item == NumberDataViewType.UInt64) return Values<ulong>(row, column, v => v > long.MaxValue ? -1 : (long)v);
        if (item == NumberDataViewType.SByte) return Values<sbyte>(row, column, v => v);
        if (item == NumberDataViewType.Int16) return Values<short>(row, column, v => v);
        if (item == NumberDataViewType.Int32) return Values<int>(row, column, v => v);
        if (item == NumberDataViewType.Int64) return Values<long>(row, column, v => v);
        if (item == NumberDataViewType.Single) return Values<float>(row, column, v => Whole(v));
        if (item == NumberDataViewType.Double) return Values<double>(row, column, Whole);
        throw SchemaErrors.Mismatch("label", column.Name, "a numeric or key vector of class ids", column.Type.ToString() ?? "?");
    }

    private static long Whole(double v) => double.IsFinite(v) && Math.Floor(v) == v && Math.Abs(v) < 1e15 ? (long)v : NotWhole;

    private static Func<long[]> Values<T>(DataViewRow row, DataViewSchema.Column column, Func<T, long> convert)
    {
        var getter = row.GetGetter<VBuffer<T>>(column);
        VBuffer<T> values = default;
        return () =>
        {
            getter(ref values);
            var result = new long[values.Length];
            int k = 0;
            foreach (var v in values.DenseValues()) result[k++] = convert(v);
            return result;
        };
    }
}
