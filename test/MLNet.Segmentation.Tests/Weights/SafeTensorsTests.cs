using System.Text;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Weights;

[TestClass]
public sealed class SafeTensorsTests
{
    private static string TempPath() => Path.Combine(Path.GetTempPath(), $"mlseg-st-{Guid.NewGuid():N}.safetensors");

    private static bool SameValues(Tensor a, Tensor b) =>
        a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && (a.numel() == 0 || a.eq(b).all().item<bool>());

    [TestMethod]
    public void EveryDTypeRoundTripsWithMetadata()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(1);
        var f32 = randn([2, 3, 4], generator: generator);
        var tensors = new Dictionary<string, Tensor>
        {
            ["f32"] = f32,
            ["f64"] = randn([5], ScalarType.Float64, generator: generator),
            ["f16"] = f32.to_type(ScalarType.Float16),
            ["bf16"] = f32.to_type(ScalarType.BFloat16),
            ["i64"] = TensorData.FromArray(new long[] { long.MinValue, -1, 0, long.MaxValue }, 2, 2),
            ["i32"] = TensorData.FromArray(new[] { int.MinValue, 7, int.MaxValue }),
            ["i16"] = TensorData.FromArray(new short[] { short.MinValue, 7, short.MaxValue }),
            ["i8"] = TensorData.FromArray(new sbyte[] { -128, 7, 127 }),
            ["u8"] = TensorData.FromArray(new byte[] { 0, 128, 255 }),
            ["bool"] = TensorData.FromArray(new[] { true, false, true }),
            ["scalar"] = tensor(42L),
            ["empty"] = zeros(0, 3),
            ["strided"] = randn([3, 4], generator: generator).t(),
        };
        string path = TempPath();
        try
        {
            SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode" });
            using var stream = File.OpenRead(path);
            using var loaded = SafeTensors.Read(stream, out var metadata);
            Assert.AreEqual("pt", metadata["format"]);
            Assert.AreEqual("ünïcode", metadata["note"]);
            CollectionAssert.AreEqual(tensors.Keys.ToArray(), loaded.Keys.ToArray(), "names in the order written");
            foreach (var (name, t) in tensors)
            {
                Assert.AreEqual(t.dtype, loaded[name].dtype, name);
                CollectionAssert.AreEqual(t.shape, loaded[name].shape, name);
                Assert.IsTrue(SameValues(t, loaded[name]), name);
                Assert.AreEqual(DeviceType.CPU, loaded[name].device_type);
            }
            Assert.AreEqual(0, new FileInfo(path).Directory!.GetFiles($".{Path.GetFileName(path)}*").Length, "no temp file left");

            // The data section starts 8-byte aligned.
            var bytes = File.ReadAllBytes(path);
            Assert.AreEqual(0UL, BitConverter.ToUInt64(bytes, 0) % 8);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void SaveReplacesAnExistingFileAndModuleStateRoundTrips()
    {
        using var scope = NewDisposeScope();
        torch.random.manual_seed(2);
        using var model = nn.Sequential(Layers.Conv2d(3, 4, 3), nn.BatchNorm2d(4));
        string path = TempPath();
        try
        {
            File.WriteAllText(path, "old content");
            using (var state = model.StateDictOf()) SafeTensors.Save(path, state);
            using var other = nn.Sequential(Layers.Conv2d(3, 4, 3), nn.BatchNorm2d(4));
            using var loaded = SafeTensors.Load(path);
            Assert.IsTrue(other.Load(loaded).IsExactMatch);
            Assert.IsTrue(model.parameters().Zip(other.parameters()).All(p => SameValues(p.First.detach(), p.Second.detach())));
            CollectionAssert.AreEqual(new[] { "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked" },
                loaded.Keys.ToArray(), "PyTorch's order");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void WriteRefusesBadNamesAndTypes()
    {
        using var scope = NewDisposeScope();
        var stream = new MemoryStream();
        Assert.ThrowsExactly<ArgumentException>(() => SafeTensors.Write(stream, [new("a", zeros(1)), new("a", zeros(2))]));
        Assert.ThrowsExactly<ArgumentException>(() => SafeTensors.Write(stream, [new("__metadata__", zeros(1))]));
        Assert.ThrowsExactly<ArgumentException>(() => SafeTensors.Write(stream, [new("", zeros(1))]));
        Assert.ThrowsExactly<NotSupportedException>(() => SafeTensors.Write(stream, [new("c", zeros([2], ScalarType.ComplexFloat32))]));
        Assert.AreEqual(0, stream.Length, "nothing written before the checks");
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
        CollectionAssert.AreEqual(new[] { 1.5f, 0f }, TensorData.ToArray<float>(dict["a"]));
        Assert.AreEqual((byte)7, dict["b"].item<byte>());
        Assert.AreEqual(0, dict["b"].dim());
    }

    [TestMethod]
    public void TensorsMayBeListedInAnyOrderOfTheirOffsets()
    {
        var bytes = Build("""{"late":{"dtype":"I32","shape":[1],"data_offsets":[4,8]},"early":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}""", 8);
        BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 8, 4), 11);
        BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 4, 4), 22);
        using var stream = new MemoryStream(bytes);
        using var dict = SafeTensors.Read(stream);
        Assert.AreEqual(11, dict["early"].item<int>());
        Assert.AreEqual(22, dict["late"].item<int>());
    }

    [TestMethod]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4, "truncated")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "overlaps")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8, "overlaps")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 16, "hole")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 12, "trailing")]
    [DataRow("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "needs 12 bytes")]
    [DataRow("""{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}""", 8, "of dtype F64 and shape [2] needs 16 bytes")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", 8, "invalid data offsets")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}""", 8, "invalid data offsets")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8.5]}}""", 8, "invalid data offsets")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,16]}}""", 8, "data_offsets")]
    [DataRow("""{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8, "invalid dimension")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}""", 8, "invalid dimension")]
    [DataRow("""{"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}""", 8, "invalid dimension")]
    [DataRow("""{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}""", 8, "impossibly large")]
    [DataRow("""{"a":{"dtype":"F32","shape":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],"data_offsets":[0,4]}}""", 4, "more than 16 dimensions")]
    [DataRow("""{"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}}""", 8, "'shape' array")]
    [DataRow("""{"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}}""", 8, "unsupported dtype 'Q4'")]
    [DataRow("""{"a":{"dtype":7,"shape":[2],"data_offsets":[0,8]}}""", 8, "no string 'dtype'")]
    [DataRow("""{"a":{"shape":[2],"data_offsets":[0,8]}}""", 8, "dtype")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2]}}""", 8, "data_offsets")]
    [DataRow("""{"a":[1,2]}""", 0, "entry 'a' is not an object")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 16, "duplicate header key 'a'")]
    [DataRow("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]""", 8, "not valid JSON")]
    [DataRow("""[1, 2, 3]""", 0, "not a JSON object")]
    [DataRow("""{"__metadata__":{"k":1}}""", 0, "not a string")]
    [DataRow("""{"__metadata__":[1]}""", 0, "__metadata__ is not an object")]
    [DataRow("""{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":1}}}}}}}}}""", 0, "not valid JSON")]
    public void MalformedHeadersAreRejectedClearly(string header, int dataBytes, string expected)
    {
        var error = ReadFails(Build(header, dataBytes));
        StringAssert.Contains(error.Message, expected);
        StringAssert.StartsWith(error.Message, "safetensors: ");
    }

    [TestMethod]
    public void BadHeaderLengthsAreRejectedBeforeAllocating()
    {
        StringAssert.Contains(ReadFails(Build("{}", 0, ulong.MaxValue)).Message, "exceeds");
        StringAssert.Contains(ReadFails(Build("{}", 0, (ulong)SafeTensors.MaxHeaderBytes + 1)).Message, "limit");
        StringAssert.Contains(ReadFails(Build("{}", 0, 1000)).Message, "exceeds the 2 bytes");
        StringAssert.Contains(ReadFails(Build("{}", 0, 1)).Message, "too small");
        StringAssert.Contains(ReadFails([1, 2, 3]).Message, "fewer than");
        StringAssert.Contains(ReadFails([]).Message, "fewer than");
        var invalidUtf8 = Build("{}", 0);
        invalidUtf8[8] = 0xff;
        StringAssert.Contains(ReadFails(invalidUtf8).Message, "not valid UTF-8");
        // Inside a string, where System.Text.Json would only notice when the string is read (an InvalidOperationException).
        var inName = Build("""{"aé":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}""", 0);
        inName[8 + 3] = 0xc9;
        inName[8 + 4] = (byte)'x';
        StringAssert.Contains(ReadFails(inName).Message, "not valid UTF-8");
    }

    [TestMethod]
    public void AHugeDeclaredTensorInASmallFileIsRefusedWithoutAllocatingIt()
    {
        // 16 GB of float32 declared, 8 bytes present: refused from the header alone, before any tensor exists.
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var error = ReadFails(Build("""{"a":{"dtype":"F32","shape":[4000000000],"data_offsets":[0,16000000000]}}""", 8));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        StringAssert.Contains(error.Message, "ends at byte 16000000000 but the data section has 8 bytes (truncated file?)");
        Assert.IsTrue(allocated < 10_000_000, $"{allocated} managed bytes allocated");

        // Over 2 GiB, even when the offsets are consistent with the header: refused before reading.
        var big = ReadFails(Build("""{"a":{"dtype":"U8","shape":[3000000000],"data_offsets":[0,3000000000]}}""", 0));
        StringAssert.Contains(big.Message, "truncated");
    }

    [TestMethod]
    public void EveryTruncationOfAValidFileIsInvalidDataNeverACrash()
    {
        using var scope = NewDisposeScope();
        var stream = new MemoryStream();
        SafeTensors.Write(stream, [new("w", arange(6, ScalarType.Float32).reshape(2, 3)), new("n", tensor(3L))], new Dictionary<string, string> { ["k"] = "v" });
        var bytes = stream.ToArray();
        using (var whole = SafeTensors.Read(new MemoryStream(bytes))) Assert.AreEqual(2, whole.Count);
        for (int length = 0; length < bytes.Length; length++)
        {
            using var truncated = new MemoryStream(bytes, 0, length);
            try
            {
                SafeTensors.Read(truncated).Dispose();
                Assert.Fail($"a file cut to {length} of {bytes.Length} bytes was read");
            }
            catch (InvalidDataException)
            {
            }
        }
    }

    [TestMethod]
    public void CorruptedHeaderBytesGiveInvalidDataOrAValidReadNeverAnotherException()
    {
        using var scope = NewDisposeScope();
        var stream = new MemoryStream();
        SafeTensors.Write(stream, [new("weight", arange(12, ScalarType.Float32)), new("ids", arange(3, ScalarType.Int64))]);
        var original = stream.ToArray();
        int headerEnd = 8 + (int)BitConverter.ToUInt64(original, 0);
        var random = new Random(5);
        int rejected = 0;
        for (int trial = 0; trial < 400; trial++)
        {
            var bytes = (byte[])original.Clone();
            int position = random.Next(0, headerEnd);
            bytes[position] = (byte)random.Next(256);
            try
            {
                using var dict = SafeTensors.Read(new MemoryStream(bytes));
                Assert.IsTrue(dict.Count <= 2);
            }
            catch (InvalidDataException)
            {
                rejected++;
            }
        }
        Assert.IsTrue(rejected > 100, $"{rejected} of 400 corruptions rejected");
    }

    [TestMethod]
    public void ReadsFromTheStreamsPositionAndNeedsASeekableStream()
    {
        using var scope = NewDisposeScope();
        var payload = new MemoryStream();
        SafeTensors.Write(payload, [new("x", arange(4, ScalarType.Int32))]);
        var prefixed = new MemoryStream();
        prefixed.Write("GARBAGE!"u8);
        payload.Position = 0;
        payload.CopyTo(prefixed);
        prefixed.Position = 8;
        using (var dict = SafeTensors.Read(prefixed))
            CollectionAssert.AreEqual(new[] { 0, 1, 2, 3 }, TensorData.ToArray<int>(dict["x"]));

        using var pipe = new NonSeekableStream(payload.ToArray());
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => SafeTensors.Read(pipe)).Message, "seekable");
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
            StringAssert.Contains(error.Message, "truncated");
            Assert.ThrowsExactly<FileNotFoundException>(() => SafeTensors.Load(path + ".missing"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void PyTorchsFixturesRead()
    {
        using var weights = SafeTensors.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Models", "unet.weights.safetensors"));
        Assert.IsTrue(weights.Count > 10);
        Assert.IsTrue(weights.Values.All(t => t.device_type == DeviceType.CPU && !t.requires_grad));
        var counters = weights.Where(kv => kv.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToList();
        Assert.IsTrue(counters.Count > 0 && counters.All(kv => kv.Value.dtype == ScalarType.Int64 && kv.Value.dim() == 0));
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
