using System.Diagnostics;
using MLNet.Segmentation.IO;

namespace MLNet.Segmentation.Tests.IO;

/// <summary>
/// Whole-or-nothing writes: a failed write keeps the old file and leaves no temporary file, also when the disk is full
/// and closing fails again; temporary files of a killed writer are removed by the next write into that folder, those
/// of a live writer are not.
/// </summary>
[TestClass]
public sealed class AtomicFileTests
{
    private string _root = "";

    [TestInitialize]
    public void CreateFolder() => Directory.CreateDirectory(_root = Path.Combine(Path.GetTempPath(), "mlseg-atomic-" + Guid.NewGuid().ToString("N")));

    [TestCleanup]
    public void DeleteFolder() => Directory.Delete(_root, recursive: true);

    private static string TemporaryName(string target) => $".{target}.{Guid.NewGuid():N}.tmp";

    [TestMethod]
    public void AFailedWriteKeepsTheOldFileAndLeavesNoTemporary()
    {
        string path = Path.Combine(_root, "a.bin");
        AtomicFile.Write(path, [1, 2, 3]);
        Assert.ThrowsExactly<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100_000]);
            throw new InvalidOperationException("the encoder failed");
        }));
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        CollectionAssert.AreEqual(new[] { "a.bin" }, Directory.GetFiles(_root).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    public void StaleTemporariesGoWithTheNextWriteButALiveWritersStays()
    {
        string stale = Path.Combine(_root, TemporaryName("x.png"));
        File.WriteAllBytes(stale, [9]);
        string live = Path.Combine(_root, TemporaryName("y.png"));
        using var held = new FileStream(live, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        string userFile = Path.Combine(_root, ".notes.tmp");
        File.WriteAllBytes(userFile, [7]);

        AtomicFile.Write(Path.Combine(_root, "z.png"), [1]);

        Assert.IsFalse(File.Exists(stale), "a temporary nobody holds is removed");
        Assert.IsTrue(File.Exists(live), "a temporary being written is kept");
        Assert.IsTrue(File.Exists(userFile), "only our own name pattern is touched");
        Assert.AreEqual(0, AtomicFile.RemoveStaleTemporaries(_root));
        held.Dispose();
        Assert.AreEqual(1, AtomicFile.RemoveStaleTemporaries(_root));
        Assert.IsFalse(AtomicFile.IsTemporaryName(".a.png.1234.tmp"));
        Assert.IsTrue(AtomicFile.IsTemporaryName($".a.png.{Guid.NewGuid():N}.tmp"));
    }

    [TestMethod]
    public void AFolderInTheTargetsPlaceIsAOneLineError()
    {
        string folder = Path.Combine(_root, "report.html");
        Directory.CreateDirectory(folder);
        var error = Assert.ThrowsExactly<IOException>(() => AtomicFile.Write(folder, [1]));
        Assert.AreEqual($"{folder}: is a folder, cannot write a file there", error.Message);
    }

    [TestMethod]
    public void AFullDiskLeavesNoTemporaryAndTheOldFile()
    {
        string mount = Path.Combine(_root, "tiny");
        Directory.CreateDirectory(mount);
        if (!Mount(mount)) Assert.Inconclusive("cannot mount a 64 KiB tmpfs here (needs root)");
        try
        {
            string path = Path.Combine(mount, "mask.png");
            AtomicFile.Write(path, [1, 2, 3]);
            Assert.ThrowsExactly<IOException>(() => AtomicFile.Write(path, new byte[1 << 20]));
            Assert.ThrowsExactly<IOException>(() => AtomicFile.Write(path, stream => { for (int i = 0; i < 1000; i++) stream.Write(new byte[1000]); }));
            CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
            CollectionAssert.AreEqual(new[] { "mask.png" }, Directory.GetFiles(mount).Select(Path.GetFileName).ToArray(), "no temporary left");
        }
        finally
        {
            Run("umount", mount);
        }
    }

    private static bool Mount(string folder) => OperatingSystem.IsLinux() && Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", folder) == 0;

    private static int Run(string program, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string arg in args) start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
