using System.Text.Json;

namespace MLNet.Segmentation.Tests.Training;

internal static class TrainingFixtures
{
    public static JsonElement Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Training", name);
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }

    public static double[] Doubles(this JsonElement element) => element.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static double[] Flatten(this JsonElement element) =>
        element.EnumerateArray().SelectMany(row => row.ValueKind == JsonValueKind.Array ? row.Doubles() : [row.GetDouble()]).ToArray();
}
