using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Engine;

/// <summary>TorchRuntime (versions, CUDA queries, threads and MLSEG_NUM_THREADS), CudnnSettings and Devices.</summary>
[TestClass]
public sealed class RuntimeTests
{
    /// <summary>The <see cref="TestProgram"/> job that prints <see cref="TorchRuntime.Threads"/> in a fresh process.</summary>
    internal const string ThreadsJob = "runtime-threads";

    /// <summary>
    /// Prints the thread count and exits 0; when the configuration is refused, prints both refusals (the runtime's and a
    /// layer factory's, which must fail the same way a second time) to stderr and exits 1.
    /// </summary>
    internal static int RunThreadsJob()
    {
        try
        {
            Console.WriteLine(TorchRuntime.Threads);
            return 0;
        }
        catch (InvalidOperationException first)
        {
            Console.Error.WriteLine($"first: {first.GetType().Name}: {first.Message}");
            try
            {
                using var conv = Layers.Conv2d(1, 1, 1);
                Console.Error.WriteLine("second: no error");
                return 3;
            }
            catch (Exception second)
            {
                Console.Error.WriteLine($"second: {second.GetType().Name}: {second.Message}");
                return 1;
            }
        }
    }

    private static (int ExitCode, string Output, string Error) Threads(string configured) =>
        ChildProcess.RunTestAssemblyWith(new Dictionary<string, string> { [TorchRuntime.ThreadsVariable] = configured }, ThreadsJob);

    [TestMethod]
    public void VersionsAreThoseOfTheReferencedPackages()
    {
        Assert.AreEqual("0.107.0", TorchRuntime.TorchSharpVersion);
        Assert.AreEqual("2.10.0", TorchRuntime.LibTorchVersion);
    }

    [TestMethod]
    public void CudaQueriesAgree()
    {
        int devices = TorchRuntime.CudaDeviceCount;
        Assert.IsTrue(devices >= 0);
        Assert.AreEqual(devices > 0, TorchRuntime.CudaIsAvailable);
        TorchRuntime.Synchronize(CPU); // a no-op on the CPU
    }

    [TestMethod]
    public void ThreadsCanBeChangedAndMustBePositive()
    {
        int original = TorchRuntime.Threads;
        Assert.IsTrue(original >= 1);
        try
        {
            TorchRuntime.Threads = 1;
            Assert.AreEqual(1, TorchRuntime.Threads);
            Assert.AreEqual(1, get_num_threads(), "libtorch's own setting");
            TorchRuntime.Threads = 2;
            Assert.AreEqual(2, TorchRuntime.Threads);
        }
        finally
        {
            TorchRuntime.Threads = original;
        }
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TorchRuntime.Threads = 0);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TorchRuntime.Threads = -3);
        Assert.AreEqual(original, TorchRuntime.Threads);
    }

    [TestMethod]
    public void TheEnvironmentVariableSetsTheThreadCountOfAFreshProcess()
    {
        var one = Threads("1");
        Assert.AreEqual(0, one.ExitCode, one.Error);
        Assert.AreEqual("1", one.Output.Trim());

        var three = Threads(" 3 ");
        Assert.AreEqual(0, three.ExitCode, three.Error);
        Assert.AreEqual("3", three.Output.Trim());

        // Unset (empty counts as unset): libtorch's default, the same in every fresh process.
        var unset = Threads("");
        Assert.AreEqual(0, unset.ExitCode, unset.Error);
        Assert.IsTrue(int.Parse(unset.Output.Trim(), System.Globalization.CultureInfo.InvariantCulture) >= 1, unset.Output);
        Assert.AreEqual(unset.Output.Trim(), Threads("  ").Output.Trim());
    }

    [TestMethod]
    public void ABadThreadSettingFailsEveryUseWithTheSameClearError()
    {
        foreach (string bad in new[] { "lots", "0", "-2", "1.5" })
        {
            var result = Threads(bad);
            Assert.AreEqual(1, result.ExitCode, $"'{bad}': {result.Output} {result.Error}");
            string expected = $"MLSEG_NUM_THREADS='{bad}' is not a positive integer";
            StringAssert.Contains(result.Error, $"first: InvalidOperationException: {expected}");
            // Before the fix the first call marked the runtime initialized, so later ones ran on silently.
            StringAssert.Contains(result.Error, $"second: InvalidOperationException: {expected}");
        }
    }

    [TestMethod]
    public void ConfiguredThreadsReadsTheVariableOfThisProcess()
    {
        string? previous = Environment.GetEnvironmentVariable(TorchRuntime.ThreadsVariable);
        try
        {
            Environment.SetEnvironmentVariable(TorchRuntime.ThreadsVariable, "5");
            Assert.AreEqual(5, TorchRuntime.ConfiguredThreads());
            Environment.SetEnvironmentVariable(TorchRuntime.ThreadsVariable, null);
            Assert.IsNull(TorchRuntime.ConfiguredThreads());
            Environment.SetEnvironmentVariable(TorchRuntime.ThreadsVariable, "x");
            StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => TorchRuntime.ConfiguredThreads()).Message, "'x'");
        }
        finally
        {
            Environment.SetEnvironmentVariable(TorchRuntime.ThreadsVariable, previous);
        }
    }

    [TestMethod]
    public void CudnnBenchmarkFlagRoundTripsOnACpuBuild()
    {
        bool original = CudnnSettings.Benchmark;
        Assert.IsFalse(original, "off by default, as torch.backends.cudnn.benchmark");
        try
        {
            CudnnSettings.Benchmark = true;
            Assert.IsTrue(CudnnSettings.Benchmark);
            CudnnSettings.Benchmark = false;
            Assert.IsFalse(CudnnSettings.Benchmark);
        }
        finally
        {
            CudnnSettings.Benchmark = original;
        }
    }

    private static void AssertDevice(DeviceType type, int index, Device device, string text)
    {
        Assert.AreEqual(type, device.type, text);
        Assert.AreEqual(index, device.index, text);
    }

    [TestMethod]
    public void DeviceNamesParse()
    {
        AssertDevice(DeviceType.CPU, -1, Devices.Parse("cpu"), "cpu");
        AssertDevice(DeviceType.CPU, -1, Devices.Parse(" CPU "), "CPU, trimmed");
        if (!TorchRuntime.CudaIsAvailable) AssertDevice(DeviceType.CPU, -1, Devices.Parse("auto"), "auto without CUDA");
        else AssertDevice(DeviceType.CUDA, 0, Devices.Parse("Auto"), "auto with CUDA");
        Assert.AreEqual("cpu", Devices.Name(CPU));
        Assert.AreEqual("cuda:0", Devices.Name(new Device(DeviceType.CUDA)));
        Assert.AreEqual("cuda:2", Devices.Name(new Device(DeviceType.CUDA, 2)));
        Assert.ThrowsExactly<ArgumentNullException>(() => Devices.Parse(null!));
    }

    [TestMethod]
    [DataRow("tpu")]
    [DataRow("cuda:")]
    [DataRow("cuda:x")]
    [DataRow("cuda:-1")]
    [DataRow("cuda0")]
    [DataRow("")]
    public void UnknownDeviceNamesAreRefusedWithTheChoices(string text)
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Devices.Parse(text));
        StringAssert.Contains(error.Message, $"unknown device '{text}'");
        StringAssert.Contains(error.Message, "auto, cpu, cuda or cuda:N");
    }

    [TestMethod]
    public void CudaDevicesAreCheckedAgainstWhatLibtorchSees()
    {
        int count = TorchRuntime.CudaDeviceCount;
        if (count == 0)
        {
            foreach (string name in new[] { "cuda", "cuda:0", "cuda:3" })
                StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Devices.Parse(name)).Message, "CUDA is not available", name);
        }
        else
        {
            AssertDevice(DeviceType.CUDA, 0, Devices.Parse("cuda"), "cuda");
            AssertDevice(DeviceType.CUDA, count - 1, Devices.Parse($"cuda:{count - 1}"), "last device");
        }
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Devices.Cuda(count + 1)).Message,
            count == 0 ? "CUDA is not available" : $"CUDA device {count + 1} does not exist");
    }

    [TestMethod]
    public void MLContextDeviceRules()
    {
        int count = TorchRuntime.CudaDeviceCount;
        AssertDevice(DeviceType.CPU, -1, Devices.FromMLContext(null, fallbackToCpu: false), "no GPU id");
        AssertDevice(DeviceType.CPU, -1, Devices.FromMLContext(count, fallbackToCpu: true), "fallback");
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Devices.FromMLContext(count, fallbackToCpu: false));
        StringAssert.Contains(error.Message, $"GPU device {count} was asked for");
        StringAssert.Contains(error.Message, "FallbackToCpu");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Devices.FromMLContext(-1, fallbackToCpu: true));
        if (count > 0) AssertDevice(DeviceType.CUDA, 0, Devices.FromMLContext(0, fallbackToCpu: false), "GPU 0");
    }
}
