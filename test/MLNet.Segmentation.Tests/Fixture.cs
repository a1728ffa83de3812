using System.Text.Json;

namespace MLNet.Segmentation.Tests;

/// <summary>Reads the JSON fixtures copied to the test output (made by the make_fixtures.py scripts beside them).</summary>
internal static class Fixture
{
    internal static JsonElement Load(params string[] path)
    {
        string file = Path.Combine([AppContext.BaseDirectory, "Fixtures", .. path]);
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        return document.RootElement.Clone();
    }

    internal static double[] Doubles(this JsonElement e) => e.EnumerateArray().Select(Number).ToArray();

    internal static long[] Longs(this JsonElement e) => e.EnumerateArray().Select(x => x.GetInt64()).ToArray();

    internal static bool[] Bools(this JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32() != 0).ToArray();

    /// <summary>A number, null as NaN, "inf" as +infinity.</summary>
    internal static double Number(this JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => double.NaN,
        JsonValueKind.String when e.GetString() == "inf" => double.PositiveInfinity,
        _ => e.GetDouble(),
    };

    internal static void AreClose(double expected, double actual, double tolerance, string message)
    {
        if (double.IsNaN(expected)) Assert.IsTrue(double.IsNaN(actual), $"{message}: expected NaN, got {actual}");
        else if (double.IsInfinity(expected)) Assert.AreEqual(expected, actual, $"{message}");
        else Assert.AreEqual(expected, actual, tolerance, message);
    }

    internal static void AreClose(double[] expected, double[] actual, double tolerance, string message)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{message}: length");
        for (int i = 0; i < expected.Length; i++) AreClose(expected[i], actual[i], tolerance, $"{message}[{i}]");
    }
}
