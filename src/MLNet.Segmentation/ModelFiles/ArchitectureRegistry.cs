using System.Text.Json;
using System.Text.Json.Serialization;
using MLNet.Segmentation.Models;

namespace MLNet.Segmentation.ModelFiles;

/// <summary>
/// Maps each segmentation architecture to a stable key and its options record, so a model file can rebuild the
/// network before loading its weights.
/// </summary>
public static class ArchitectureRegistry
{
    /// <summary>JSON settings for options records (enums as names).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new() { Converters = { new JsonStringEnumConverter() }, WriteIndented = true };

    private sealed record Entry(string Key, Type ModelType, Func<SegmentationModel, object> GetOptions, Func<int, JsonElement, SegmentationModel> Create);

    private static Entry Make<TModel, TOptions>(string key, Func<TModel, TOptions> getOptions, Func<int, TOptions, TModel> create)
        where TModel : SegmentationModel where TOptions : class =>
        new(key, typeof(TModel), m => getOptions((TModel)m)!, (classes, json) =>
            create(classes, json.Deserialize<TOptions>(JsonOptions) ?? throw new InvalidDataException($"empty options for '{key}'")));

    private static readonly Entry[] Entries =
    [
        Make<UNet, UNetOptions>("unet", m => m.Options, (k, o) => new UNet(k, o)),
        Make<Fcn, FcnOptions>("fcn", m => m.Options, (k, o) => new Fcn(k, o)),
        Make<SegNet, SegNetOptions>("segnet", m => m.Options, (k, o) => new SegNet(k, o)),
        Make<DeconvNet, DeconvNetOptions>("deconvnet", m => m.Options, (k, o) => new DeconvNet(k, o)),
        Make<DeepLabV3, DeepLabV3Options>("deeplabv3", m => m.Options, (k, o) => new DeepLabV3(k, o)),
        Make<DeepLabV3Plus, DeepLabV3PlusOptions>("deeplabv3plus", m => m.Options, (k, o) => new DeepLabV3Plus(k, o)),
    ];

    /// <summary>The known architecture keys.</summary>
    public static IReadOnlyList<string> Keys { get; } = Entries.Select(e => e.Key).ToArray();

    /// <summary>The key and options JSON of <paramref name="model"/>.</summary>
    public static (string Key, JsonElement Options) Describe(SegmentationModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var entry = Entries.FirstOrDefault(e => e.ModelType == model.GetType())
            ?? throw new NotSupportedException($"{model.GetType().Name} cannot be saved in a model file; supported: {string.Join(", ", Keys)}");
        return (entry.Key, JsonSerializer.SerializeToElement(entry.GetOptions(model), entry.GetOptions(model).GetType(), JsonOptions));
    }

    /// <summary>Builds an untrained network of architecture <paramref name="key"/> from its options JSON.</summary>
    public static SegmentationModel Create(string key, int numClasses, JsonElement options)
    {
        var entry = Entries.FirstOrDefault(e => e.Key == key)
            ?? throw new InvalidDataException($"unknown architecture '{key}'; known: {string.Join(", ", Keys)}");
        try
        {
            return entry.Create(numClasses, options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the options of architecture '{key}' are invalid: {e.Message}", e);
        }
    }
}
