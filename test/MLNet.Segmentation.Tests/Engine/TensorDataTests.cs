using MLNet.Segmentation.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Engine;

/// <summary>
/// What our engine adds to TorchSharp for data in and out (<see cref="TensorData"/>): copies, never shared managed
/// storage; dtype checks; row-major reads of any layout; shape text.
/// </summary>
[TestClass]
public sealed class TensorDataTests
{
    [TestMethod]
    public void FromArrayCopiesSoLaterChangesOnEitherSideStayApart()
    {
        using var scope = NewDisposeScope();
        var data = new[] { 1f, 2f, 3f, 4f, 5f, 6f };
        var t = TensorData.FromArray(data, 2, 3);
        CollectionAssert.AreEqual(new long[] { 2, 3 }, t.shape);
        Assert.AreEqual(ScalarType.Float32, t.dtype);
        Assert.AreEqual(DeviceType.CPU, t.device_type);

        data[0] = 100;
        Assert.AreEqual(1f, t[0, 0].item<float>(), "the tensor does not see the array");
        t[1, 2].fill_(-1f);
        Assert.AreEqual(6f, data[5], "the array does not see the tensor");
        CollectionAssert.AreEqual(new[] { 1f, 2f, 3f, 4f, 5f, -1f }, TensorData.ToArray<float>(t));

        // The result of ToArray is a copy too.
        var read = TensorData.ToArray<float>(t);
        read[1] = 42;
        Assert.AreEqual(2f, t[0, 1].item<float>());
    }

    [TestMethod]
    public void EveryElementTypeRoundTripsWithItsScalarType()
    {
        using var scope = NewDisposeScope();
        void RoundTrip<T>(T[] values, ScalarType expected) where T : unmanaged
        {
            Assert.AreEqual(expected, TensorData.ScalarTypeOf<T>(), typeof(T).Name);
            var t = TensorData.FromSpan<T>(values, [values.Length]);
            Assert.AreEqual(expected, t.dtype, typeof(T).Name);
            CollectionAssert.AreEqual(values, TensorData.ToArray<T>(t), typeof(T).Name);
        }
        RoundTrip(new[] { 1.5f, -2.25f, float.MaxValue }, ScalarType.Float32);
        RoundTrip(new[] { Math.PI, -0.0, double.Epsilon }, ScalarType.Float64);
        RoundTrip(new[] { long.MinValue, -1L, long.MaxValue }, ScalarType.Int64);
        RoundTrip(new[] { int.MinValue, 7, int.MaxValue }, ScalarType.Int32);
        RoundTrip(new short[] { short.MinValue, 3, short.MaxValue }, ScalarType.Int16);
        RoundTrip(new sbyte[] { -128, 0, 127 }, ScalarType.Int8);
        RoundTrip(new byte[] { 0, 128, 255 }, ScalarType.Byte);
        RoundTrip(new[] { true, false, true }, ScalarType.Bool);
        RoundTrip(new[] { (Half)1.5f, (Half)(-2.25f), Half.MaxValue }, ScalarType.Float16);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => TensorData.ScalarTypeOf<decimal>()).Message, "Decimal");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => TensorData.ScalarTypeOf<char>()).Message, "Char");
    }

    [TestMethod]
    public void ShapesMustHoldExactlyTheValuesGiven()
    {
        using var scope = NewDisposeScope();
        var tooFew = Assert.ThrowsExactly<ArgumentException>(() => TensorData.FromArray(new[] { 1f, 2f, 3f }, 2, 2));
        StringAssert.Contains(tooFew.Message, "shape [2, 2] needs 4 values but 3 were given");
        var negative = Assert.ThrowsExactly<ArgumentException>(() => TensorData.FromArray(new[] { 1f }, -1));
        StringAssert.Contains(negative.Message, "negative size in shape [-1]");
        Assert.ThrowsExactly<ArgumentException>(() => TensorData.FromArray(new[] { 1f, 2f }, 2, -1, -2));

        var vector = TensorData.FromArray(new[] { 4.0, 5.0 });
        CollectionAssert.AreEqual(new long[] { 2 }, vector.shape, "no shape given: one dimension");
        var scalar = TensorData.FromSpan<double>([4.0], []);
        Assert.AreEqual(0, scalar.dim(), "an empty shape is a scalar");
        Assert.AreEqual(4.0, scalar.item<double>());
        var empty = TensorData.FromArray(Array.Empty<float>(), 0, 3);
        CollectionAssert.AreEqual(new long[] { 0, 3 }, empty.shape);
        Assert.AreEqual(0, TensorData.ToArray<float>(empty).Length);
    }

    [TestMethod]
    public void ToArrayChecksTheElementType()
    {
        using var scope = NewDisposeScope();
        var x = TensorData.FromArray(new[] { 1f, 2f, 3f }, 3);
        var error = Assert.ThrowsExactly<ArgumentException>(() => TensorData.ToArray<double>(x));
        StringAssert.Contains(error.Message, "the tensor holds Float32, not Double");
        Assert.ThrowsExactly<ArgumentException>(() => TensorData.ToArray<long>(x.to_type(ScalarType.Int32)));
        Assert.ThrowsExactly<ArgumentNullException>(() => TensorData.ToArray<float>(null!));
        CollectionAssert.AreEqual(new[] { 1.0, 2.0, 3.0 }, TensorData.ToArray<double>(x.to_type(ScalarType.Float64)));
        CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, TensorData.ToArray<long>(x.to_type(ScalarType.Int64)));
    }

    [TestMethod]
    public void ToArrayReadsAnyLayoutInRowMajorOrder()
    {
        using var scope = NewDisposeScope();
        var a = TensorData.FromArray(new long[] { 0, 1, 2, 3, 4, 5 }, 2, 3);
        CollectionAssert.AreEqual(new long[] { 0, 3, 1, 4, 2, 5 }, TensorData.ToArray<long>(a.t()), "a transposed view");
        CollectionAssert.AreEqual(new long[] { 1, 2, 4, 5 }, TensorData.ToArray<long>(a.narrow(1, 1, 2)), "a narrowed view");
        CollectionAssert.AreEqual(new long[] { 2, 1, 0, 5, 4, 3 }, TensorData.ToArray<long>(a.flip(1)));
        CollectionAssert.AreEqual(new long[] { 3, 3 }, TensorData.ToArray<long>(a.select(1, 0).narrow(0, 1, 1).expand(2)), "an expanded view");

        var image = arange(24, ScalarType.Int64).reshape(1, 2, 3, 4);
        var channelsLast = image.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2); // channels-last strides
        Assert.IsFalse(channelsLast.is_contiguous());
        CollectionAssert.AreEqual(TensorData.ToArray<long>(image), TensorData.ToArray<long>(channelsLast), "logical N, C, H, W order");
    }

    [TestMethod]
    public void FromSpanMovesToTheDeviceAsked()
    {
        using var scope = NewDisposeScope();
        var cpu = TensorData.FromSpan<float>([1f, 2f], [1, 2], CPU);
        Assert.AreEqual(DeviceType.CPU, cpu.device_type);
        CollectionAssert.AreEqual(new[] { 1f, 2f }, TensorData.ToArray<float>(cpu));
        if (TorchRuntime.CudaIsAvailable)
        {
            var gpu = TensorData.FromSpan<float>([1f, 2f], [2], CUDA);
            Assert.AreEqual(DeviceType.CUDA, gpu.device_type);
            CollectionAssert.AreEqual(new[] { 1f, 2f }, TensorData.ToArray<float>(gpu), "read back from the device");
        }
    }

    [TestMethod]
    public void ShapeText()
    {
        using var scope = NewDisposeScope();
        Assert.AreEqual("[2, 3, 64, 64]", TensorData.ShapeText([2, 3, 64, 64]));
        Assert.AreEqual("[]", TensorData.ShapeText([]));
        Assert.AreEqual("[0]", TensorData.ShapeText([0]));
        Assert.AreEqual("[1, 2, 3]", TensorData.ShapeOf(zeros(1, 2, 3)));
        Assert.AreEqual("[]", TensorData.ShapeOf(tensor(1f)));
    }
}
