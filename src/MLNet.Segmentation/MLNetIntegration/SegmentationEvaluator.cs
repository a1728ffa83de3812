using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using static TorchSharp.torch;
using MLNet.Segmentation.Metrics.Evaluation;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>Evaluates a predicted class-id column against a ground-truth mask column of an IDataView.</summary>
internal static class SegmentationEvaluator
{
    public static MaskEvaluation Evaluate(IDataView data, int classes, string labelColumnName, string predictedColumnName, long? ignoreIndex,
        MaskEncoding encoding, int? height, int? width)
    {
        ArgumentNullException.ThrowIfNull(data);
        var labelInfo = ColumnInputs.Find(data.Schema, "label", labelColumnName);
        var predictedInfo = ColumnInputs.Find(data.Schema, "predicted label", predictedColumnName);
        if (predictedInfo.IsScalar || predictedInfo.ItemType != NumberDataViewType.UInt32)
            throw SchemaErrors.Mismatch("predicted label", predictedColumnName, "Vector<UInt32>", predictedInfo.TypeText);
        var labelFormat = ColumnInputs.MaskFormat(labelInfo);
        if (labelFormat == ColumnFormat.ClassIds && (height is null || width is null))
            throw new ArgumentException($"label column '{labelColumnName}' holds class-id vectors: give height and width");
        var maskReader = new MaskReader(new MaskOptions { Encoding = encoding, NumClasses = classes, IgnoreIndex = ignoreIndex });

        var labelColumn = data.Schema[labelColumnName];
        var predictedColumn = data.Schema[predictedColumnName];
        using var cursor = data.GetRowCursor([labelColumn, predictedColumn]);
        var readMask = ColumnInputs.MaskReader(cursor, labelColumn, labelFormat, maskReader);
        var predictedGetter = cursor.GetGetter<VBuffer<uint>>(predictedColumn);
        VBuffer<uint> predicted = default;
        using var accumulator = new MaskEvaluationAccumulator(classes, ignoreIndex);
        while (cursor.MoveNext())
        {
            predictedGetter(ref predicted);
            using var mask = readMask(height ?? 0, width ?? 0);
            int h = (int)mask.size(0), w = (int)mask.size(1);
            if (predicted.Length != h * w)
                throw new InvalidDataException($"row {cursor.Position}: {predicted.Length} predicted ids for a {w}x{h} mask");
            long[] truth;
            using (var ids = mask.to_type(ScalarType.Int64)) truth = TensorData.ToArray<long>(ids);
            var truthBytes = new byte[truth.Length];
            for (int i = 0; i < truth.Length; i++)
                truthBytes[i] = truth[i] is >= 0 and <= 255 ? (byte)truth[i] : throw new InvalidDataException($"row {cursor.Position}: mask id {truth[i]} is outside 0..255");
            var predictedBytes = new byte[predicted.Length];
            int k = 0;
            foreach (uint id in predicted.DenseValues())
                predictedBytes[k++] = id < classes ? (byte)id : throw new InvalidDataException($"row {cursor.Position}: predicted class id {id} is not below {classes}");
            accumulator.Update(predictedBytes, truthBytes, h, w, $"row {cursor.Position}");
        }
        return accumulator.Compute();
    }
}
