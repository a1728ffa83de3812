using System.Collections.Concurrent;

namespace MLNet.Segmentation.IO;

/// <summary>
/// Writes a file whole or not at all: the content goes to a temporary file beside the target
/// (<c>.NAME.GUID.tmp</c>), is flushed to disk, and is renamed over the target only when complete; on any failure the
/// temporary file is removed, also when closing it fails again (a full disk). Temporary files that a killed process
/// left behind are removed by the first atomic write into the same folder: <see cref="RemoveStaleTemporaries"/>.
/// </summary>
public static class AtomicFile
{
    private static readonly ConcurrentDictionary<string, bool> CleanedFolders = new(StringComparer.Ordinal);

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        using var writer = new TemporaryFile(path);
        writer.Stream.Write(bytes);
        writer.Commit();
    }

    /// <summary>Writes what <paramref name="write"/> puts in the stream to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var writer = new TemporaryFile(path);
        write(writer.Stream);
        writer.Commit();
    }

    /// <summary>
    /// Removes the temporary files of atomic writes in <paramref name="folder"/> that no process is writing: each is
    /// held with an exclusive lock while written (FileShare.None, a lock on Unix too), so one that can be opened
    /// exclusively was left by a process that died. Returns how many were removed.
    /// </summary>
    public static int RemoveStaleTemporaries(string folder)
    {
        if (!Directory.Exists(folder)) return 0;
        int removed = 0;
        foreach (string file in Directory.EnumerateFiles(folder, ".*.tmp"))
        {
            if (!IsTemporaryName(Path.GetFileName(file))) continue;
            try
            {
                using (new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
                File.Delete(file);
                removed++;
            }
            catch (IOException) { } // being written right now, or already gone
            catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    /// <summary>True for a name of the form .NAME.GUID.tmp (32 hex digits), as this class makes them.</summary>
    internal static bool IsTemporaryName(string name)
    {
        if (!name.StartsWith('.') || !name.EndsWith(".tmp", StringComparison.Ordinal)) return false;
        string stem = name[..^4];
        int dot = stem.LastIndexOf('.');
        return dot > 1 && stem.Length - dot - 1 == 32 && stem[(dot + 1)..].All(char.IsAsciiHexDigit);
    }

    private static void CleanOnce(string folder)
    {
        if (CleanedFolders.TryAdd(folder, true)) RemoveStaleTemporaries(folder);
    }

    // The temporary file of one write; disposing it without Commit removes it.
    private sealed class TemporaryFile : IDisposable
    {
        private readonly string _target, _temporary;
        private bool _committed;

        public TemporaryFile(string path)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            _target = Path.GetFullPath(path);
            if (Directory.Exists(_target)) throw new IOException($"{_target}: is a folder, cannot write a file there");
            string folder = Path.GetDirectoryName(_target) ?? ".";
            CleanOnce(folder);
            _temporary = Path.Combine(folder, $".{Path.GetFileName(_target)}.{Guid.NewGuid():N}.tmp");
            Stream = new FileStream(_temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }

        public FileStream Stream { get; }

        public void Commit()
        {
            Stream.Flush(flushToDisk: true);
            Stream.Dispose();
            File.Move(_temporary, _target, overwrite: true);
            _committed = true;
        }

        public void Dispose()
        {
            if (_committed) return;
            // The write already failed and its exception is on its way; closing may fail the same way (the buffer cannot
            // be flushed to a full disk), which must neither replace that exception nor keep the file.
            try { Stream.Dispose(); }
            catch (IOException) { }
            finally
            {
                try { File.Delete(_temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }
}
