namespace MLNet.Segmentation.ModelFiles;

/// <summary>Helpers that keep error messages about hostile content on one line and short.</summary>
internal static class MessageText
{
    private const int MaxQuoted = 64;

    /// <summary>
    /// <paramref name="text"/> in single quotes: control characters and line separators escaped, cut after 64 characters
    /// (so a hostile value can neither break a one-line message nor flood it); "null" for null.
    /// </summary>
    internal static string Quote(string? text)
    {
        if (text is null) return "null";
        var builder = new System.Text.StringBuilder("'");
        foreach (char c in text.Length > MaxQuoted ? text[..MaxQuoted] : text)
            builder.Append(IsUnsafe(c) ? $"\\u{(int)c:x4}" : c);
        if (text.Length > MaxQuoted) builder.Append("...");
        return builder.Append('\'').ToString();
    }

    /// <summary>The message with every line break (and other control character) turned into a space.</summary>
    internal static string OneLine(string message)
    {
        if (!message.Any(IsUnsafe)) return message;
        var chars = message.ToCharArray();
        for (int k = 0; k < chars.Length; k++)
            if (IsUnsafe(chars[k])) chars[k] = ' ';
        return new string(chars);
    }

    /// <summary>Control characters and the Unicode line and paragraph separators.</summary>
    internal static bool IsUnsafe(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
