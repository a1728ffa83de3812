namespace MLNet.Segmentation.IO;

/// <summary>
/// Writes a file whole or not at all: the content goes to a temporary file beside the target, is flushed to disk,
/// and is renamed over the target only when complete; on any failure the temporary file is removed.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        using var writer = new Writer(path);
        writer.Stream.Write(bytes);
        writer.Commit();
    }

    /// <summary>Writes what <paramref name="write"/> puts in the stream to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var writer = new Writer(path);
        write(writer.Stream);
        writer.Commit();
    }

    // The temporary file of one write; disposing it without Commit removes it.
    private sealed class Writer : IDisposable
    {
        private readonly string _target, _temporary;
        private bool _committed;

        public Writer(string path)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            _target = Path.GetFullPath(path);
            _temporary = Path.Combine(Path.GetDirectoryName(_target) ?? ".", $".{Path.GetFileName(_target)}.{Guid.NewGuid():N}.tmp");
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
            Stream.Dispose();
            if (_committed) return;
            try { File.Delete(_temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
