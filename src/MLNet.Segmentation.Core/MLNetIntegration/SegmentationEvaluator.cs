using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Metrics.Evaluation;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>Evaluates a predicted class-id column against a ground-truth mask column of an IDataView.</summary>
internal static class SegmentationEvaluator
{
    public static SemanticSegmentationMetrics Evaluate(IDataView data, string labelColumnName, string predictedColumnName, int? numberOfClasses,
        long? ignoreIndex, MaskEncoding encoding, int? height, int? width)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Schema.GetColumnOrNull(labelColumnName) is null)
            throw new ArgumentOutOfRangeException(nameof(labelColumnName), $"Could not find label column '{labelColumnName}' in the scored data: append the mask " +
                "steps (Segmentation().Transforms.LoadMasks/ResizeMasks) without a TransformerScope, since they pass scoring rows without masks through, " +
                "or score with model.Transform(data, TransformerScope.Testing) when a label step has the TrainTest scope");
        var predictedColumn = data.Schema.GetColumnOrNull(predictedColumnName) ?? throw SchemaErrors.Missing("predicted label", predictedColumnName);
        var predictedInfo = ColumnInputs.ColumnInfo.From(predictedColumn);
        if (predictedInfo.IsScalar || predictedInfo.ItemType != NumberDataViewType.UInt32)
            throw SchemaErrors.Mismatch("predicted label", predictedColumnName, "Vector<UInt32>", predictedInfo.TypeText);
        var names = ClassNames(predictedColumn);
        int classes = numberOfClasses ?? names?.Length ?? throw new ArgumentException(
            $"give numberOfClasses: predicted label column '{predictedColumnName}' has no {SegmentationAnnotations.ClassNames} annotation", nameof(numberOfClasses));
        if (classes is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(numberOfClasses), classes, "numberOfClasses must be 1..256");
        if (names is not null && names.Length != classes)
            throw new ArgumentException($"numberOfClasses is {classes} but the model that made '{predictedColumnName}' has {names.Length} classes", nameof(numberOfClasses));
        var classNames = names ?? Enumerable.Range(0, classes).Select(c => $"class {c}").ToArray();

        var labelColumn = data.Schema[labelColumnName];
        using var cursor = data.GetRowCursor([labelColumn, predictedColumn]);
        var masks = new MaskColumnReader(cursor, labelColumn, new MaskOptions { Encoding = encoding, NumClasses = classes, IgnoreIndex = ignoreIndex });
        var size = masks.KnownSize ?? predictedInfo.Size ?? (height is int h && width is int w ? (h, w) : null);
        if (masks.Format == ColumnFormat.ClassIds && size is null)
            throw new ArgumentException($"label column '{labelColumnName}' holds class-id vectors of unknown size: give height and width, resize the masks " +
                                        "with Segmentation().Transforms.ResizeMasks, or evaluate against the mask path column");
        var predictedGetter = cursor.GetGetter<VBuffer<uint>>(predictedColumn);
        VBuffer<uint> predicted = default;
        using var accumulator = new MaskEvaluationAccumulator(classes, ignoreIndex);
        while (cursor.MoveNext())
        {
            predictedGetter(ref predicted);
            var mask = masks.Read(size?.Height ?? 0, size?.Width ?? 0);
            string row = $"row {cursor.Position.ToString(CultureInfo.InvariantCulture)}";
            if (predicted.Length != mask.Ids.Length)
                throw new InvalidDataException($"{row}: {predicted.Length} predicted ids in '{predictedColumnName}' for a {mask.Width}x{mask.Height} mask in " +
                                               $"'{labelColumnName}'; resize masks to the image size with Segmentation().Transforms.ResizeMasks");
            var truthBytes = new byte[mask.Ids.Length];
            for (int i = 0; i < truthBytes.Length; i++)
                truthBytes[i] = mask.Ids[i] is >= 0 and <= 255 ? (byte)mask.Ids[i] : throw new InvalidDataException($"{row}: mask id {mask.Ids[i]} is outside 0..255");
            var predictedBytes = new byte[predicted.Length];
            int k = 0;
            foreach (uint id in predicted.DenseValues())
                predictedBytes[k++] = id < classes ? (byte)id : throw new InvalidDataException($"{row}: predicted class id {id} is not below {classes}");
            accumulator.Update(predictedBytes, truthBytes, mask.Height, mask.Width, row);
        }
        return new SemanticSegmentationMetrics(accumulator.Compute(), classNames);
    }

    private static string[]? ClassNames(DataViewSchema.Column column)
    {
        var annotation = column.Annotations.Schema.GetColumnOrNull(SegmentationAnnotations.ClassNames);
        if (annotation is not { Type: VectorDataViewType { ItemType: TextDataViewType } }) return null;
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.Annotations.GetValue(SegmentationAnnotations.ClassNames, ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }
}
