namespace MLNet.Segmentation.Tests;

/// <summary>
/// The test assembly's entry point. The test host never calls it; tests that need a fresh OS process run
/// <c>dotnet exec MLNet.Segmentation.Tests.dll &lt;job&gt; args...</c> through <see cref="ChildProcess"/>.
/// </summary>
internal static class TestProgram
{
    private static int Main(string[] args)
    {
        if (args.Length == 0) return 0;
        if (args[0] == MLNetIntegration.PipelineInFreshProcess.Job) return MLNetIntegration.PipelineInFreshProcess.Run(args[1..]);
        if (args[0] == Engine.RuntimeTests.ThreadsJob) return Engine.RuntimeTests.RunThreadsJob();
        if (args[0] == Nn.OneDnnChannelPaddingTests.EnabledJob) return Nn.OneDnnChannelPaddingTests.PrintEnabled();
        if (args[0] == Hostile.LoadPeakJob.Job) return Hostile.LoadPeakJob.Run(args[1]);
        if (args[0] == Engine.CpuMemoryTests.FaultsJob) return Engine.CpuMemoryTests.RunFaultsJob();
        if (args[0] == Nn.ChannelsLastInputTests.Job) return Nn.ChannelsLastInputTests.Run();
        Console.Error.WriteLine($"unknown job '{args[0]}'");
        return 2;
    }
}

/// <summary>Runs a job of <see cref="TestProgram"/> in a new process.</summary>
internal static class ChildProcess
{
    public static (int ExitCode, string Output, string Error) RunTestAssembly(params string[] args) =>
        RunTestAssemblyWith(new Dictionary<string, string>(), args);

    /// <summary>Runs a job with extra environment variables.</summary>
    public static (int ExitCode, string Output, string Error) RunTestAssemblyWith(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new System.Diagnostics.ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(TestProgram).Assembly.Location);
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException($"could not start {dotnet}");
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{dotnet} {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return (process.ExitCode, output, error.Result);
    }
}
