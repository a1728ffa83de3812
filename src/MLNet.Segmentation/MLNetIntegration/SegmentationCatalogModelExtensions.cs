using Microsoft.ML;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>The MLNet.Segmentation package's members of <c>mlContext.Segmentation()</c>: saving and loading pipelines with networks.</summary>
public static class SegmentationCatalogModelExtensions
{
    /// <summary>
    /// Saves a fitted pipeline that contains segmentation transformers: the ML.NET parts through
    /// <c>mlContext.Model.Save</c>, the networks as model files, in one zip written atomically. The stored input schema is
    /// the scoring schema: <paramref name="inputSchema"/> less the columns scoring does not need (such as the mask path).
    /// </summary>
    public static void SaveModel(this SegmentationCatalog catalog, ITransformer model, DataViewSchema inputSchema, string path) =>
        SegmentationModelStore.Save(catalog.Context, model, inputSchema, path);

    /// <summary>Loads a pipeline saved by <see cref="SaveModel"/> and returns it with its input schema.</summary>
    public static ITransformer LoadModel(this SegmentationCatalog catalog, string path, out DataViewSchema inputSchema) =>
        SegmentationModelStore.Load(catalog.Context, path, out inputSchema);
}
