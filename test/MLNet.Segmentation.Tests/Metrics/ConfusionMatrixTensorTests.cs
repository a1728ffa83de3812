using System.Reflection;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Metrics;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Metrics;

/// <summary>The tensor input of the confusion matrix (ConfusionMatrixTensors) and the TorchSharp-free host side.</summary>
[TestClass]
public sealed class ConfusionMatrixTensorTests
{
    [TestMethod]
    public void BatchesOfAnyIntegerTypeAccumulateLikeTheHostAndResetStartsAgain()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(31);
        var prediction = randint(0L, 4, new long[] { 3, 7, 9 }, ScalarType.Int64, generator: generator);
        var target = randint(0L, 4, new long[] { 3, 7, 9 }, ScalarType.Int64, generator: generator);
        target = target.masked_fill(rand([3, 7, 9], generator: generator) < 0.1, 255);

        using var host = new ConfusionMatrix(4, ignoreIndex: 255);
        host.Update(TensorData.ToArray<long>(prediction).Select(v => (byte)v).ToArray(), TensorData.ToArray<long>(target).Select(v => (byte)v).ToArray());

        var prediction32 = prediction.to_type(ScalarType.Int32);
        var targetBytes = target.to_type(ScalarType.Byte);
        var predictionImage = prediction.select(0, 1);
        var targetImage = target.select(0, 1);
        using var matrix = new ConfusionMatrix(4, ignoreIndex: 255);
        int before = scope.DisposablesCount;
        matrix.Update(prediction, target);                   // int64
        matrix.Update(prediction32, targetBytes);            // mixed types: the bincount path
        matrix.Update(predictionImage, targetImage);         // one H x W image
        Assert.AreEqual(before, scope.DisposablesCount, "tensors of the update left in the caller's scope");
        var once = host.Compute();
        using var second = new ConfusionMatrix(4, ignoreIndex: 255);
        second.Update(TensorData.ToArray<long>(predictionImage).Select(v => (byte)v).ToArray(), TensorData.ToArray<long>(targetImage).Select(v => (byte)v).ToArray());
        var image = second.Compute();
        var expected = new long[4, 4];
        for (int t = 0; t < 4; t++)
            for (int p = 0; p < 4; p++) expected[t, p] = 2 * once[t, p] + image[t, p];
        CollectionAssert.AreEqual(expected, matrix.Compute());

        matrix.Reset();
        Assert.AreEqual(0, ConfusionMatrixMetrics.Total(matrix.Compute()));
        matrix.Update(prediction, target);
        CollectionAssert.AreEqual(once, matrix.Compute());
    }

    [TestMethod]
    public void PerImageMatricesFromABatchMatchTheHostPerImage()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(32);
        var prediction = randint(0L, 3, new long[] { 3, 5, 4 }, ScalarType.Int64, generator: generator);
        var target = randint(0L, 3, new long[] { 3, 5, 4 }, ScalarType.Int64, generator: generator);
        using var device = new ConfusionMatrix(3, trackPerImage: true);
        device.Update(prediction, target);
        using var bytes = new ConfusionMatrix(3, trackPerImage: true);
        bytes.Update(prediction.to_type(ScalarType.Byte), target.to_type(ScalarType.Byte));
        Assert.AreEqual(3, device.PerImage.Count);
        for (int n = 0; n < 3; n++) CollectionAssert.AreEqual(bytes.PerImage[n], device.PerImage[n], $"image {n}");
        CollectionAssert.AreEqual(bytes.Compute(), device.Compute());
        Assert.AreEqual(bytes.PerImageMeanDice(), device.PerImageMeanDice(), 1e-15);
    }

    [TestMethod]
    public void BadTensorsAreRejectedBeforeAnythingIsCounted()
    {
        using var scope = NewDisposeScope();
        using var matrix = new ConfusionMatrix(3);
        var ids = zeros(new long[] { 2, 2 }, ScalarType.Int64);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => matrix.Update(ids.to_type(ScalarType.Float32), ids)).Message, "argmax");
        Assert.ThrowsExactly<ArgumentException>(() => matrix.Update(ids.to_type(ScalarType.Bool), ids));
        Assert.ThrowsExactly<ArgumentException>(() => matrix.Update(ids, zeros(new long[] { 2, 3 }, ScalarType.Int64)));
        Assert.ThrowsExactly<ArgumentException>(() => matrix.Update(ids.reshape(4), ids.reshape(4)));
        Assert.ThrowsExactly<ArgumentException>(() => matrix.Update(ids.to_type(ScalarType.Byte), full(new long[] { 2, 2 }, 3, ScalarType.Byte)));
        Assert.AreEqual(0, ConfusionMatrixMetrics.Total(matrix.Compute()));
    }

    [TestMethod]
    public void PrecomputedCountsAreAddedAndChecked()
    {
        using var matrix = new ConfusionMatrix(2, trackPerImage: true);
        matrix.AddCounts([3, 1, 0, 2]);
        CollectionAssert.AreEqual(new long[,] { { 3, 1 }, { 0, 2 } }, matrix.Compute());
        Assert.AreEqual(1, matrix.PerImage.Count);
        Assert.ThrowsExactly<ArgumentException>(() => matrix.AddCounts([1, 2, 3]));
        Assert.ThrowsExactly<ArgumentException>(() => matrix.AddCounts([1, -2, 3, 4]));
        CollectionAssert.AreEqual(new long[,] { { 3, 1 }, { 0, 2 } }, matrix.Compute());
    }

    [TestMethod]
    public void HostSideMetricTypesDoNotMentionTorchSharp()
    {
        var torchSharp = typeof(Tensor).Assembly;
        var offenders = new List<string>();
        var metricTypes = typeof(ConfusionMatrix).Assembly.GetTypes()
            .Where(t => t.Namespace?.StartsWith("MLNet.Segmentation.Metrics", StringComparison.Ordinal) == true)
            .Where(t => t != typeof(ConfusionMatrixTensors) && t.DeclaringType != typeof(ConfusionMatrixTensors));
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in metricTypes)
        {
            var used = new List<Type>();
            used.AddRange(type.GetInterfaces());
            if (type.BaseType is { } baseType) used.Add(baseType);
            used.AddRange(type.GetFields(all).Select(f => f.FieldType));
            used.AddRange(type.GetProperties(all).Select(p => p.PropertyType));
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                used.AddRange(method.GetParameters().Select(p => p.ParameterType));
                if (method is MethodInfo info) used.Add(info.ReturnType);
                used.AddRange(method.GetMethodBody()?.LocalVariables.Select(v => v.LocalType) ?? []);
            }
            offenders.AddRange(used.Where(t => Mentions(t, torchSharp)).Select(t => $"{type.FullName}: {t.FullName}"));
        }
        Assert.AreEqual(0, offenders.Count, string.Join("; ", offenders.Distinct()));
    }

    private static bool Mentions(Type type, Assembly assembly)
    {
        if (type.Assembly == assembly) return true;
        if (type.HasElementType && Mentions(type.GetElementType()!, assembly)) return true;
        return type.IsGenericType && type.GetGenericArguments().Any(a => Mentions(a, assembly));
    }
}
