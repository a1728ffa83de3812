using System.Text;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Weights;

namespace MLNet.Segmentation.Tests.Weights;

[TestClass]
public sealed class SafeTensorsTests
{
    private static string TempPath() => Path.Combine(Path.GetTempPath(), $"mlseg-st-{Guid.NewGuid():N}.safetensors");

    [TestMethod]
    public void EveryDTypeRoundTripsWithMetadata()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(1);
        var f32 = Tensor.Randn([2, 3, 4], generator);
        var tensors = new Dictionary<string, Tensor>
        {
            ["f32"] = f32,
            ["f64"] = Tensor.Randn([5], generator, DType.Float64),
            ["f16"] = f32.To(DType.Float16),
            ["bf16"] = f32.To(DType.BFloat16),
            ["i64"] = Tensor.FromArray(new long[] { long.MinValue, -1, 0, long.MaxValue }, 2, 2),
            ["i32"] = Tensor.FromArray(new[] { int.MinValue, 7, int.MaxValue }),
            ["u8"] = Tensor.FromArray(new byte[] { 0, 128, 255 }),
            ["bool"] = Tensor.FromArray(new[] { true, false, true }),
            ["scalar"] = Tensor.Scalar(42L),
            ["empty"] = Tensor.Zeros([0, 3]),
            ["strided"] = Tensor.Randn([3, 4], generator).Transpose(0, 1),
        };
        string path = TempPath();
        try
        {
            SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
            using var stream = File.OpenRead(path);
            using var loaded = SafeTensors.Read(stream, out var metadata);
            Assert.AreEqual("pt", metadata["format"]);
            CollectionAssert.AreEqual(tensors.Keys.ToArray(), loaded.Keys.ToArray());
            foreach (var (name, tensor) in tensors)
            {
                Assert.AreEqual(tensor.DType, loaded[name].DType, name);
                CollectionAssert.AreEqual(tensor.Shape, loaded[name].Shape, name);
                Assert.IsTrue(tensor.Equal(loaded[name]), name);
            }
            Assert.AreEqual(0, new FileInfo(path).Directory!.GetFiles($".{Path.GetFileName(path)}*").Length, "no temp file left");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void SaveReplacesAnExistingFileAndModuleStateRoundTrips()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(2);
        using var model = new Sequential(new Conv2d(3, 4, 3, generator: generator), new BatchNorm2d(4));
        string path = TempPath();
        try
        {
            File.WriteAllText(path, "old content");
            using (var state = model.StateDict()) SafeTensors.Save(path, state);
            using var other = new Sequential(new Conv2d(3, 4, 3, generator: generator), new BatchNorm2d(4));
            using var loaded = SafeTensors.Load(path);
            Assert.IsTrue(other.LoadStateDict(loaded).IsExactMatch);
            Assert.IsTrue(model.Parameters().Zip(other.Parameters()).All(p => p.First.Equal(p.Second)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static byte[] Build(string header, int dataBytes, ulong? declaredLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), declaredLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        return bytes;
    }

    private static InvalidDataException ReadFails(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return Assert.ThrowsExactly<InvalidDataException>(() => SafeTensors.Read(stream).Dispose());
    }

    [TestMethod]
    public void ValidHandBuiltFileReads()
    {
        var bytes = Build("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[],"data_offsets":[8,9]}}""", 9);
        BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 9, 4), 1.5f);
        bytes[^1] = 7;
        using var stream = new MemoryStream(bytes);
        using var dict = SafeTensors.Read(stream);
        CollectionAssert.AreEqual(new[] { 1.5f, 0f }, dict["a"].ToArray<float>());
        Assert.AreEqual(7, dict["b"].ToInt64());
    }

    [TestMethod]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4, "truncated")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "overlaps")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 16, "hole")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 12, "trailing")]
    [DataRow("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "needs 12 bytes")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", 8, "invalid data offsets")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}""", 8, "invalid data offsets")]
    [DataRow("""{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8, "invalid dimension")]
    [DataRow("""{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}""", 8, "impossibly large")]
    [DataRow("""{"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}}""", 8, "unsupported dtype")]
    [DataRow("""{"a":{"shape":[2],"data_offsets":[0,8]}}""", 8, "dtype")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2]}}""", 8, "data_offsets")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]""", 8, "not valid JSON")]
    [DataRow("""[1, 2, 3]""", 0, "not a JSON object")]
    [DataRow("""{"__metadata__":{"k":1}}""", 0, "not a string")]
    public void MalformedHeadersAreRejectedClearly(string header, int dataBytes, string expected)
    {
        var error = ReadFails(Build(header, dataBytes));
        StringAssert.Contains(error.Message, expected);
    }

    [TestMethod]
    public void BadHeaderLengthsAreRejectedBeforeAllocating()
    {
        StringAssert.Contains(ReadFails(Build("{}", 0, ulong.MaxValue)).Message, "exceeds");
        StringAssert.Contains(ReadFails(Build("{}", 0, (ulong)SafeTensors.MaxHeaderBytes + 1)).Message, "limit");
        StringAssert.Contains(ReadFails(Build("{}", 0, 1000)).Message, "exceeds the 2 bytes");
        StringAssert.Contains(ReadFails([1, 2, 3]).Message, "fewer than");
    }

    [TestMethod]
    public void LoadNamesTheFileInErrors()
    {
        string path = TempPath();
        try
        {
            File.WriteAllBytes(path, Build("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 3));
            var error = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensors.Load(path).Dispose());
            StringAssert.Contains(error.Message, path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
