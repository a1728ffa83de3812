namespace MLNet.Segmentation.Samples.Cli;

/// <summary>
/// The PNG name each input image's outputs get: NAME.png for NAME.jpg, and, where two inputs would share that name
/// (x.png and x.jpg in one folder), the whole input name plus .png (x.png.png, x.jpg.png), so no output overwrites
/// another.
/// </summary>
public static class OutputNames
{
    /// <summary>The output name of every file in <paramref name="inputs"/> (paths), distinct (ordinal, case-insensitive).</summary>
    public static IReadOnlyDictionary<string, string> For(IReadOnlyList<string> inputs)
    {
        var shared = inputs.GroupBy(Short, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var names = inputs.ToDictionary(f => f, f => shared.Contains(Short(f)) ? Path.GetFileName(f) + ".png" : Short(f), StringComparer.Ordinal);
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (input, name) in names)
            if (!taken.Add(name)) throw new IOException($"{input}: its output name {name} is taken by another input; rename one of them");
        return names;
    }

    private static string Short(string path) => Path.GetFileNameWithoutExtension(path) + ".png";
}
