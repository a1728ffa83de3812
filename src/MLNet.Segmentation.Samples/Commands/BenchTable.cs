using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>The table of `mlseg bench`: per network our row, then each peer's row with the ratios ours/that peer.</summary>
internal static class BenchTable
{
    private static readonly string[] PeerOrder = ["pytorch", "torchsharp", "old-mlseg"];

    /// <summary>The table of <paramref name="rows"/> (tagged "peer": "ours", "pytorch", "torchsharp" or "old-mlseg").</summary>
    public static Table Build(IReadOnlyList<JsonObject> rows)
    {
        // Names never wrap (the figures' headers do, when the table is wider than the terminal).
        var table = new Table().Border(TableBorder.Rounded).AddColumn(new TableColumn("network").NoWrap()).AddColumn(new TableColumn("framework").NoWrap());
        foreach (string column in new[]
                 {
                     "train ms", "train img/s", "infer ms", "infer img/s", "train RSS MB", "infer RSS MB",
                     "ours/peer train ms", "ours/peer infer ms", "ours/peer train RSS",
                 })
            table.AddColumn(new TableColumn(column).RightAligned());
        foreach (var ours in rows.Where(r => Role(r) == "ours"))
        {
            string arch = Text(ours, "arch");
            table.AddRow(Cells(arch, "ours", ours, null));
            var peers = rows.Where(r => Role(r) != "ours" && Text(r, "arch") == arch).OrderBy(r => Array.IndexOf(PeerOrder, Role(r)));
            foreach (var peer in peers) table.AddRow(Cells("", Label(peer), peer, ours));
        }
        return table;
    }

    private static string[] Cells(string arch, string framework, JsonObject row, JsonObject? ours) =>
    [
        arch, Markup.Escape(framework), F(row, "train_step_ms", "F1"), F(row, "train_images_per_s"), F(row, "infer_ms", "F1"),
        F(row, "infer_images_per_s"), F(row, "train_peak_rss_mb", "F0"), F(row, "infer_peak_rss_mb", "F0"),
        ours is null ? "" : Ratio(ours, row, "train_step_ms"), ours is null ? "" : Ratio(ours, row, "infer_ms"),
        ours is null ? "" : Ratio(ours, row, "train_peak_rss_mb"),
    ];

    // "pytorch 2.x", "torchsharp 0.107.0", and the old mlseg's "mlnet-segmentation (libtorch 1.13.0)" as "old mlseg (libtorch 1.13.0)".
    private static string Label(JsonObject row)
    {
        string framework = Text(row, "framework");
        if (Role(row) != "old-mlseg") return framework;
        int version = framework.IndexOf('(');
        return version < 0 ? "old mlseg" : $"old mlseg {framework[version..]}";
    }

    private static string Role(JsonObject row) => row["peer"]?.GetValue<string>() ?? "";

    private static string Text(JsonObject row, string key) => row[key]?.GetValue<string>() ?? "";

    private static string F(JsonObject row, string key, string format = "F2") =>
        row[key]?.GetValue<double>().ToString(format, CultureInfo.InvariantCulture) ?? "-";

    /// <summary>ours[key] / theirs[key] to two decimals, or "-" when either is missing.</summary>
    internal static string Ratio(JsonObject ours, JsonObject theirs, string key) =>
        theirs[key] is { } t && ours[key] is { } o && t.GetValue<double>() > 0
            ? (o.GetValue<double>() / t.GetValue<double>()).ToString("F2", CultureInfo.InvariantCulture)
            : "-";
}
