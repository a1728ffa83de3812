using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MLNet.Segmentation.Experiments;

/// <summary>
/// When a sweep stops starting trials: after a wall time, a number of trials, a number of training epochs (summed over
/// all trials), whichever comes first; none of them set means no limit (only a grid ends by itself). Times and epochs
/// count over reruns of a resumed sweep (from its trial log). Written and parsed as text: "30m", "20trials",
/// "1h30m,50trials", "200epochs".
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(SweepBudgetJsonConverter))]
public sealed partial record SweepBudget
{
    /// <summary>Wall time of training (null: none).</summary>
    public TimeSpan? Time { get; init; }

    /// <summary>Trials started (successive halving's promotions are not new trials; null: none).</summary>
    public int? Trials { get; init; }

    /// <summary>Training epochs summed over all trials (null: none).</summary>
    public int? Epochs { get; init; }

    /// <summary>No limit.</summary>
    public static SweepBudget Unlimited { get; } = new();

    /// <summary>A budget of <paramref name="trials"/> trials.</summary>
    public static SweepBudget FromTrials(int trials) => new() { Trials = trials > 0 ? trials : throw new ArgumentOutOfRangeException(nameof(trials), trials, "need at least one trial") };

    /// <summary>A budget of <paramref name="time"/>.</summary>
    public static SweepBudget FromTime(TimeSpan time) => new() { Time = time > TimeSpan.Zero ? time : throw new ArgumentOutOfRangeException(nameof(time), time, "the time must be positive") };

    [GeneratedRegex(@"\G\s*(?<number>\d+(?:\.\d+)?)\s*(?<unit>h|m|min|s|trials?|epochs?)\s*(?:,|$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Part();

    /// <summary>
    /// Parses "30m", "2h", "90s", "1h30m", "20trials", "100epochs" or a comma-separated mix ("30m,20trials"); throws a
    /// <see cref="FormatException"/> naming the text otherwise.
    /// </summary>
    public static SweepBudget Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // "1h30m" is "1h,30m".
        string normalized = Regex.Replace(text.Trim(), @"(?<=[hms])(?=\d)", ",", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        if (normalized.Length == 0) throw Bad(text);
        TimeSpan? time = null;
        int? trials = null, epochs = null;
        int position = 0;
        while (position < normalized.Length)
        {
            var match = Part().Match(normalized, position);
            if (!match.Success || match.Index != position || match.Length == 0) throw Bad(text);
            position += match.Length;
            double number = double.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture);
            string unit = match.Groups["unit"].Value.ToLowerInvariant();
            if (unit.StartsWith("trial", StringComparison.Ordinal) || unit.StartsWith("epoch", StringComparison.Ordinal))
            {
                if (number != Math.Floor(number) || number < 1 || number > int.MaxValue) throw Bad(text);
                if (unit[0] == 't') trials = (trials is null ? 0 : throw Bad(text)) + (int)number;
                else epochs = (epochs is null ? 0 : throw Bad(text)) + (int)number;
                continue;
            }
            var part = unit switch { "h" => TimeSpan.FromHours(number), "s" => TimeSpan.FromSeconds(number), _ => TimeSpan.FromMinutes(number) };
            time = (time ?? TimeSpan.Zero) + part;
        }
        if (time is { } t && t <= TimeSpan.Zero) throw Bad(text);
        return new SweepBudget { Time = time, Trials = trials, Epochs = epochs };
    }

    private static FormatException Bad(string text) =>
        new($"budget '{text}': expected a time (30m, 2h, 90s, 1h30m), a trial count (20trials), an epoch count (100epochs) or a comma-separated mix");

    /// <summary>The budget as <see cref="Parse"/> reads it, e.g. "30m,20trials"; "unlimited" without limits.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Time is { } t)
        {
            var text = new StringBuilder();
            if (t.TotalHours >= 1) text.Append(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h");
            if (t.Minutes > 0) text.Append(CultureInfo.InvariantCulture, $"{t.Minutes}m");
            double seconds = t.TotalSeconds - Math.Floor(t.TotalMinutes) * 60;
            if (seconds > 0 || text.Length == 0) text.Append(CultureInfo.InvariantCulture, $"{seconds:0.###}s");
            parts.Add(text.ToString());
        }
        if (Trials is { } n) parts.Add($"{n}trials");
        if (Epochs is { } e) parts.Add($"{e}epochs");
        return parts.Count == 0 ? "unlimited" : string.Join(",", parts);
    }
}
