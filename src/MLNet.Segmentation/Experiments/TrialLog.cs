using System.Text;
using System.Text.Json;
using MLNet.Segmentation.IO;

namespace MLNet.Segmentation.Experiments;

/// <summary>
/// A sweep's trial log: JSON lines (<see cref="SweepJson"/>), one <see cref="TrialLogEntry"/> each, in the order the
/// runs finished. Each append rewrites the file atomically (<see cref="AtomicFile"/>), so a killed sweep leaves the log
/// as it was after its last finished run, never half a line.
/// </summary>
public sealed class TrialLog
{
    private readonly List<TrialLogEntry> _entries;
    private readonly StringBuilder _text = new();

    private TrialLog(string path, List<TrialLogEntry> entries)
    {
        Path = path;
        _entries = entries;
        foreach (var entry in entries) _text.Append(JsonSerializer.Serialize(entry, SweepJson.Options)).Append('\n');
    }

    /// <summary>The log file.</summary>
    public string Path { get; }

    /// <summary>The entries, oldest first.</summary>
    public IReadOnlyList<TrialLogEntry> Entries => _entries;

    /// <summary>The entries of <paramref name="path"/> (none when the file does not exist); a malformed line is an InvalidDataException naming it.</summary>
    public static IReadOnlyList<TrialLogEntry> Read(string path) => Open(path).Entries;

    /// <summary>Opens (or starts) the log at <paramref name="path"/>.</summary>
    public static TrialLog Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var entries = new List<TrialLogEntry>();
        if (File.Exists(path))
        {
            int number = 0;
            foreach (string line in File.ReadLines(path))
            {
                number++;
                if (line.Length == 0) continue;
                try
                {
                    entries.Add(JsonSerializer.Deserialize<TrialLogEntry>(line, SweepJson.Options) ?? throw new JsonException("null entry"));
                }
                catch (JsonException e)
                {
                    throw new InvalidDataException($"{path}, line {number}: not a trial log entry ({e.Message.Split('\n')[0].Trim()})", e);
                }
            }
        }
        return new TrialLog(path, entries);
    }

    /// <summary>Appends <paramref name="entry"/>: the file is rewritten whole, atomically.</summary>
    public void Append(TrialLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        string line = JsonSerializer.Serialize(entry, SweepJson.Options) + "\n";
        AtomicFile.Write(Path, Encoding.UTF8.GetBytes(_text + line));
        _text.Append(line);
        _entries.Add(entry);
    }
}
