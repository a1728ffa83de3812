using System.Security.Cryptography;
using MLNet.Segmentation.Build;

namespace MLNet.Segmentation.Tests.Engine;

/// <summary>
/// The build-time patch of TorchSharp's native library (src/MLNet.Segmentation/buildTransitive/ElfVersionNeeds.cs), on
/// the real libLibTorchSharp.so of the TorchSharp 0.107.0 package: which need it marks weak, that it changes nothing else,
/// that the package cache stays as it is, and that the copy in this test's output folder is the patched one.
/// </summary>
[TestClass]
public sealed class ElfVersionNeedsTests
{
    private const string Need = "GLIBCXX_3.4.32";
    private const string NeedSymbol = "_ZSt21ios_base_library_initv";
    private const string LibStdCxx = "libstdc++.so.6";
    private const string SystemLibStdCxx = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";

    private static string PackageLibrary()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("the patch is for Linux");
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(path)) Assert.Inconclusive($"TorchSharp 0.107.0's native library is not at {path}");
        return path;
    }

    private static string OutputLibrary() =>
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private static string TempPath(string name) => Path.Combine(Path.GetTempPath(), $"mlseg-elf-{Guid.NewGuid():N}-{name}");

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static bool SystemHasTheVersion() => ElfVersionNeeds.DefinedVersions(SystemLibStdCxx).Contains(Need);

    [TestMethod]
    public void TheGlibcxx3432NeedIsStrongAndBindsOneUnrelocatedSymbol()
    {
        var needs = ElfVersionNeeds.Needs(PackageLibrary());
        var need = needs.Single(n => n.Version == Need);
        Assert.AreEqual(LibStdCxx, need.File);
        Assert.IsFalse(need.Weak, "the package's need is not weak");
        CollectionAssert.AreEqual(new[] { NeedSymbol }, need.Symbols.ToArray());
        Assert.AreEqual(0, need.RelocatedSymbols.Count, "no relocation refers to std::ios_base_library_init()");

        // The other libstdc++ needs are ordinary ones whose symbols are used.
        var baseline = needs.Single(n => n.File == LibStdCxx && n.Version == "GLIBCXX_3.4");
        Assert.IsTrue(baseline.RelocatedSymbols.Count > 10, $"GLIBCXX_3.4 has {baseline.RelocatedSymbols.Count} relocated symbols");
        Assert.IsTrue(needs.Where(n => n.Version != Need).All(n => !n.Weak), "no need is weak in the package");
        Assert.AreEqual(needs.Count, needs.Select(n => n.Index).Distinct().Count(), "version indices are distinct");
    }

    [TestMethod]
    public void WriteWithWeakNeedsChangesExactlyTheFlagsOfThatNeedAndLeavesThePackageAlone()
    {
        string source = PackageLibrary();
        string before = Hash(source);
        string destination = TempPath("libLibTorchSharp.so");
        try
        {
            ElfVersionNeeds.WriteWithWeakNeeds(source, destination, [Need]);

            byte[] original = File.ReadAllBytes(source), patched = File.ReadAllBytes(destination);
            Assert.AreEqual(original.Length, patched.Length);
            // Compared as 2-byte fields: exactly one differs, the need's vna_flags, which gains VER_FLG_WEAK.
            int field = (int)ElfVersionNeeds.Needs(source).Single(n => n.Version == Need).FlagsOffset;
            Assert.AreEqual(0, field % 2, "vna_flags is 2-byte aligned");
            var differing = Enumerable.Range(0, original.Length / 2)
                .Where(i => original[2 * i] != patched[2 * i] || original[2 * i + 1] != patched[2 * i + 1]).Select(i => 2 * i).ToArray();
            CollectionAssert.AreEqual(new[] { field }, differing, "the only 2-byte field that differs");
            Assert.IsTrue(original.Length % 2 == 0 || original[^1] == patched[^1]);
            ushort oldFlags = BitConverter.ToUInt16(original, field), newFlags = BitConverter.ToUInt16(patched, field);
            Assert.AreEqual(0, oldFlags & 0x2);
            Assert.AreEqual(oldFlags | 0x2, newFlags, "VER_FLG_WEAK added to the vna_flags field");

            var needs = ElfVersionNeeds.Needs(destination);
            Assert.IsTrue(needs.Single(n => n.Version == Need).Weak);
            CollectionAssert.AreEqual(new[] { NeedSymbol }, needs.Single(n => n.Version == Need).Symbols.ToArray());
            CollectionAssert.AreEqual(
                ElfVersionNeeds.Needs(source).Where(n => n.Version != Need).Select(n => (n.File, n.Version, n.Weak)).ToArray(),
                needs.Where(n => n.Version != Need).Select(n => (n.File, n.Version, n.Weak)).ToArray(), "every other need as before");
            Assert.AreEqual(before, Hash(source), "the package copy is unchanged");
            Assert.AreEqual(0, Directory.GetFiles(Path.GetDirectoryName(destination)!, $".{Path.GetFileName(destination)}*").Length, "no temporary file left");

            // Patching the patched copy again (in place) changes nothing more.
            ElfVersionNeeds.WriteWithWeakNeeds(destination, destination, [Need]);
            CollectionAssert.AreEqual(patched, File.ReadAllBytes(destination));
        }
        finally
        {
            File.Delete(destination);
        }
    }

    [TestMethod]
    public void ThisMachinesLibStdCxxLacksOnlyGlibcxx3432()
    {
        if (!File.Exists(SystemLibStdCxx)) Assert.Inconclusive($"{SystemLibStdCxx} does not exist here");
        var unsatisfied = ElfVersionNeeds.Unsatisfied(PackageLibrary(), LibStdCxx, SystemLibStdCxx).Select(n => n.Version).ToArray();
        if (SystemHasTheVersion())
            Assert.AreEqual(0, unsatisfied.Length, $"this libstdc++ has {Need}; unsatisfied: {string.Join(", ", unsatisfied)}");
        else
            CollectionAssert.AreEqual(new[] { Need }, unsatisfied);
        Assert.IsTrue(ElfVersionNeeds.DefinedVersions(SystemLibStdCxx).Contains("GLIBCXX_3.4"));
    }

    [TestMethod]
    public void TheCopyInTheTestOutputHasTheNeedWeakWhereLibStdCxxLacksIt()
    {
        string source = PackageLibrary();
        string output = OutputLibrary();
        Assert.IsTrue(File.Exists(output), $"{output} exists");
        var need = ElfVersionNeeds.Needs(output).Single(n => n.Version == Need);
        if (File.Exists(SystemLibStdCxx) && !SystemHasTheVersion())
        {
            Assert.IsTrue(need.Weak, "the build marked the need weak in the output copy");
            Assert.IsTrue(ElfVersionNeeds.Unsatisfied(output, LibStdCxx, SystemLibStdCxx).Count == 0);
            Assert.AreNotEqual(Hash(source), Hash(output));
            Assert.IsFalse(ElfVersionNeeds.Needs(source).Single(n => n.Version == Need).Weak, "the package copy was not patched in place");
        }
        else
        {
            Assert.IsFalse(need.Weak, "where libstdc++ has the version, the build copies the library unchanged");
        }
    }

    [TestMethod]
    public void ANeedWhoseSymbolsAreRelocatedIsRefusedAndNothingIsWritten()
    {
        string destination = TempPath("refused.so");
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ElfVersionNeeds.WriteWithWeakNeeds(PackageLibrary(), destination, ["GLIBCXX_3.4"]));
        StringAssert.Contains(error.Message, "GLIBCXX_3.4");
        StringAssert.Contains(error.Message, "install a newer libstdc++.so.6");
        Assert.IsFalse(File.Exists(destination), "nothing written");
        Assert.AreEqual(0, Directory.GetFiles(Path.GetTempPath(), $".{Path.GetFileName(destination)}*").Length, "no temporary file left");
    }

    [TestMethod]
    public void AVersionTheLibraryDoesNotNeedLeavesItByteForByte()
    {
        string source = PackageLibrary();
        string destination = TempPath("unchanged.so");
        try
        {
            ElfVersionNeeds.WriteWithWeakNeeds(source, destination, ["GLIBCXX_9.9.99"]);
            Assert.AreEqual(Hash(source), Hash(destination));
        }
        finally
        {
            File.Delete(destination);
        }
    }

    [TestMethod]
    public void NonElfAndForeignElfFilesAreInvalidData()
    {
        string text = TempPath("not-elf.so");
        string bigEndian = TempPath("big-endian.so");
        string noSections = TempPath("no-sections.so");
        try
        {
            File.WriteAllText(text, "this is not a shared library, just some text that is long enough to have an ELF header's size........");
            StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeeds.Needs(text)).Message, "is not an ELF file");
            Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeeds.DefinedVersions(text));
            Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeeds.WriteWithWeakNeeds(text, TempPath("x.so"), [Need]));
            Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeeds.Unsatisfied(text, LibStdCxx, text));

            var header = new byte[64];
            "\u007fELF"u8.CopyTo(header);
            header[4] = 2;
            header[5] = 2; // big-endian
            File.WriteAllBytes(bigEndian, header);
            StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeeds.Needs(bigEndian)).Message, "64-bit little-endian");

            header[5] = 1;
            BitConverter.GetBytes(1_000_000UL).CopyTo(header, 40); // section headers past the end of the file
            BitConverter.GetBytes((ushort)64).CopyTo(header, 58);
            BitConverter.GetBytes((ushort)30).CopyTo(header, 60);
            File.WriteAllBytes(noSections, header);
            StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeeds.Needs(noSections)).Message, "no readable section headers");
        }
        finally
        {
            File.Delete(text);
            File.Delete(bigEndian);
            File.Delete(noSections);
        }
    }
}
