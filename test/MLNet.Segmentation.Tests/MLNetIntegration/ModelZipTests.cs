using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Segmentation.MLNetIntegration;

namespace MLNet.Segmentation.Tests.MLNetIntegration;

/// <summary>
/// Issue #19, saving: whether ML.NET's own model zip tolerates an entry of ours (it does), and what each loader makes of
/// the other's file.
/// </summary>
[TestClass]
public sealed class ModelZipTests
{
    public sealed class Row
    {
        public string ImagePath { get; set; } = "";
        public float Size { get; set; }
    }

    [TestMethod]
    public void AnExtraEntryInMLNetsModelZipSurvivesModelLoadAndSaveModelFilesAreNotMLNetModels()
    {
        string root = Path.Combine(Path.GetTempPath(), "mlseg-zip-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(new[] { new Row { ImagePath = "a.png", Size = 2 }, new Row { ImagePath = "b.png", Size = 5 } });
            var model = ml.Transforms.CopyColumns("Path2", "ImagePath").Append(ml.Transforms.NormalizeMinMax("Size")).Fit(data);
            string path = Path.Combine(root, "mlnet.zip");
            ml.Model.Save(model, data.Schema, path);
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
            using (var writer = new StreamWriter(zip.CreateEntry("mlseg/extra.json").Open()))
                writer.Write("{\"network\":\"unet\"}");

            var loaded = new MLContext().Model.Load(path, out var schema);
            CollectionAssert.AreEqual(data.Schema.Select(c => c.Name).ToArray(), schema.Select(c => c.Name).ToArray());
            var sizes = loaded.Transform(data).GetColumn<float>("Size").ToArray();
            CollectionAssert.AreEqual(new[] { 0.4f, 1f }, sizes, "the model loads and scores as before");
            using (var zip = ZipFile.OpenRead(path))
            using (var reader = new StreamReader(zip.GetEntry("mlseg/extra.json")!.Open()))
                Assert.AreEqual("{\"network\":\"unet\"}", reader.ReadToEnd(), "the extra entry is still in the file");

            // The other way round: SaveModel's file is not an ML.NET model, and ML.NET's is not a SaveModel pipeline.
            string ours = Path.Combine(root, "ours.zip");
            ml.Segmentation().SaveModel(model, data.Schema, ours);
            Assert.Throws<Exception>(() => new MLContext().Model.Load(ours, out _), "");
            var e = Assert.Throws<InvalidDataException>(() => ml.Segmentation().LoadModel(path, out _));
            StringAssert.Contains(e.Message, "not a pipeline saved by SaveModel");
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
