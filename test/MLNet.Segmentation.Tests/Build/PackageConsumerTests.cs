using System.Diagnostics;
using MLNet.Segmentation.Build;

namespace MLNet.Segmentation.Tests.Build;

/// <summary>
/// The packed library as an application consumes it: a project in a temporary folder restores MLNet.Segmentation from a
/// local package folder (with the CPU libtorch backend from the package source), builds, trains one step and predicts.
/// Proves the buildTransitive patch of TorchSharp's native library on a machine whose libstdc++ lacks GLIBCXX_3.4.32.
/// </summary>
[TestClass]
public sealed class PackageConsumerTests
{
    public TestContext TestContext { get; set; } = null!;

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MLNet.Segmentation.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("the repository root was not found above the test output");
    }

    private (int ExitCode, string Output) Run(string workingDirectory, params string[] arguments)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        // The consumer must not see this repository's build settings or the test host's MSBuild state.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "DOTNET_HOST_PATH" }) start.Environment.Remove(name);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish in 10 minutes");
        }
        string all = output + error.Result;
        TestContext.WriteLine($"$ dotnet {string.Join(' ', arguments)} -> {process.ExitCode}");
        return (process.ExitCode, all);
    }

    [TestMethod]
    [Timeout(1_200_000, CooperativeCancellation = true)]
    public void AConsumerOfThePackageBuildsTrainsAndPredicts()
    {
        string root = RepositoryRoot();
        string work = Path.Combine(Path.GetTempPath(), "mlseg-consumer-" + Guid.NewGuid().ToString("N")[..8]);
        // A version of its own, so the global package cache never serves an older pack of the same version.
        string version = "0.0.1-consumertest." + DateTime.UtcNow.ToString("yyyyMMddHHmmss");
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string[] cached = [Path.Combine(packages, "mlnet.segmentation", version), Path.Combine(packages, "mlnet.segmentation.core", version)];
        try
        {
            string feed = Path.Combine(work, "feed");
            // The library as the test run built it (same configuration), packed without building it again.
            string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
            // The package and the TorchSharp-free core it depends on.
            foreach (string project in new[] { "src/MLNet.Segmentation.Core", "src/MLNet.Segmentation" })
            {
                var pack = Run(root, "pack", project, "-c", configuration, "--no-build", "-o", feed, $"-p:Version={version}", "--nologo");
                Assert.AreEqual(0, pack.ExitCode, pack.Output);
            }
            string nupkg = Path.Combine(feed, $"MLNet.Segmentation.{version}.nupkg");
            using (var zip = System.IO.Compression.ZipFile.OpenRead(nupkg))
            {
                var names = zip.Entries.Select(e => e.FullName).ToList();
                CollectionAssert.Contains(names, "buildTransitive/MLNet.Segmentation.targets");
                CollectionAssert.Contains(names, "buildTransitive/ElfVersionNeeds.cs");
                Assert.IsFalse(names.Any(n => n.StartsWith("runtimes/", StringComparison.Ordinal)), "the package ships no native library of its own");
            }

            string app = Path.Combine(work, "app");
            Directory.CreateDirectory(app);
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local-mlseg" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <NoWarn>$(NoWarn);NU1603</NoWarn>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="MLNet.Segmentation" Version="{version}" />
                    <PackageReference Include="libtorch-cpu-linux-x64" Version="2.10.0" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                using MLNet.Segmentation.Models;
                using static TorchSharp.torch;

                random.manual_seed(1);
                var model = new UNet(3, new UNetOptions { Depth = 2, BaseWidth = 8 });
                var optimizer = optim.Adam(model.parameters(), 1e-2);
                var images = rand(2, 3, 32, 32);
                var masks = randint(0, 3, [2, 32, 32]);
                double first = 0, last = 0;
                for (int step = 0; step < 3; step++)
                {
                    using var scope = NewDisposeScope();
                    var loss = nn.functional.cross_entropy(model.call(images), masks);
                    optimizer.zero_grad();
                    loss.backward();
                    optimizer.step();
                    if (step == 0) first = loss.item<float>();
                    last = loss.item<float>();
                }
                model.eval();
                var ids = model.Predict(images);
                Console.WriteLine($"consumer ok: loss {first:F4} -> {last:F4}, class ids [{string.Join(", ", ids.shape)}]");
                """);
            var build = Run(app, "build", "-c", "Release", "--nologo");
            Assert.AreEqual(0, build.ExitCode, build.Output);
            bool systemLacksVersion = File.Exists("/usr/lib/x86_64-linux-gnu/libstdc++.so.6")
                && !ElfVersionNeeds.DefinedVersions("/usr/lib/x86_64-linux-gnu/libstdc++.so.6").Contains("GLIBCXX_3.4.32");
            string copied = Path.Combine(app, "bin", "Release", "net10.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            Assert.IsTrue(File.Exists(copied), "the build output has TorchSharp's native library");
            var need = ElfVersionNeeds.Needs(copied).Single(n => n.Version == "GLIBCXX_3.4.32");
            if (systemLacksVersion)
            {
                StringAssert.Contains(build.Output, "MLNet.Segmentation: libLibTorchSharp.so needs GLIBCXX_3.4.32");
                Assert.IsTrue(need.Weak, "the consumer's output copy marks the need weak");
            }
            else
            {
                Assert.IsFalse(need.Weak, "where libstdc++ has the version, the copy is left as TorchSharp ships it");
            }

            var run = Run(app, "bin/Release/net10.0/Consumer.dll");
            Assert.AreEqual(0, run.ExitCode, run.Output);
            StringAssert.Contains(run.Output, "consumer ok:");
            StringAssert.Contains(run.Output, "class ids [2, 32, 32]");
            TestContext.WriteLine(run.Output.Trim());

            // dotnet publish gets the same copy, and the published application runs.
            string published = Path.Combine(work, "published");
            var publish = Run(app, "publish", "-c", "Release", "-o", published, "--nologo");
            Assert.AreEqual(0, publish.ExitCode, publish.Output);
            var publishedNeed = ElfVersionNeeds.Needs(Path.Combine(published, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"))
                .Single(n => n.Version == "GLIBCXX_3.4.32");
            Assert.AreEqual(systemLacksVersion, publishedNeed.Weak, "the published copy is patched exactly where the build's is");
            var runPublished = Run(published, "Consumer.dll");
            Assert.AreEqual(0, runPublished.ExitCode, runPublished.Output);
            StringAssert.Contains(runPublished.Output, "consumer ok:");
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
            foreach (string folder in cached)
                try { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }
}
