using MLNet.Segmentation.Engine;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Models;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Onnx;

/// <summary>Small catalog networks with every parameter and BatchNorm statistic random, their TorchSharp outputs, and ONNX Runtime runs.</summary>
internal static class OnnxTestModels
{
    public const int Classes = 4;

    /// <summary>Catalog network <paramref name="name"/> at 1/16 width in eval mode; zero-initialized layers and BatchNorms randomized.</summary>
    public static SegmentationModel Create(string name, long seed)
    {
        random.manual_seed(seed);
        var model = (SegmentationModel)ModelCatalog.Create(name, new ModelBuildSettings(Classes, 3, 16));
        using var generator = new Generator((ulong)seed + 1);
        using (no_grad())
        {
            foreach (var (_, module) in model.named_modules())
            {
                if (module is TorchSharp.Modules.BatchNorm bn)
                {
                    long c = bn.num_features;
                    bn.weight.copy_(rand([c], generator: generator) + 0.5);
                    bn.bias!.copy_(randn([c], generator: generator) * 0.1);
                    bn.running_mean!.copy_(randn([c], generator: generator) * 0.1);
                    bn.running_var!.copy_(rand([c], generator: generator) * 1.5 + 0.5);
                }
            }
            // FCN's skip scores start at zero: give them weights so the fusions are really compared.
            foreach (var (_, parameter) in model.named_parameters())
                if (parameter.abs().max().item<float>() == 0) parameter.copy_(randn(parameter.shape, generator: generator) * 0.1);
        }
        model.eval();
        Calibrate(model, generator);
        return model;
    }

    /// <summary>
    /// Subtracts each class's mean logit over a random image from the bias of the final class scores, so that a random
    /// network's arg-max follows the image rather than one class's constant lead.
    /// </summary>
    public static void Calibrate(SegmentationModel model, Generator generator)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var mean = model.call(Images(4, 64, 64, generator)).mean([0, 2, 3]);
        var bias = model.named_parameters()
            .Single(p => p.name is "classifier.bias" or "classifier.4.bias" or "score_fr.bias").parameter;
        bias.sub_(mean);
    }

    /// <summary>A manifest for <paramref name="model"/>'s classes (architecture and options are filled in by the export).</summary>
    public static ModelManifest Manifest(float[]? mean = null, float[]? std = null, int[]? tile = null) => new()
    {
        Architecture = "",
        Options = default,
        NumClasses = Classes,
        InChannels = 3,
        ClassNames = ["background", "road", "car", "sky"],
        ClassColors = ["#000000", "#808080", "#ff0000", "#0000ff"],
        IgnoreIndex = 255,
        Mean = mean,
        Std = std,
        TileSize = tile,
    };

    /// <summary>
    /// N x 3 x H x W images in [0, 1] with structure at several scales (smooth blobs from a coarse random image plus
    /// pixel noise), so the random networks' predictions vary over the image.
    /// </summary>
    public static Tensor Images(long n, long h, long w, Generator generator)
    {
        using var scope = NewDisposeScope();
        var coarse = rand([n, 3, Math.Max(2, h / 8), Math.Max(2, w / 8)], generator: generator);
        var smooth = nn.functional.interpolate(coarse, [h, w], mode: InterpolationMode.Bilinear, align_corners: false);
        var noise = rand([n, 3, h, w], generator: generator);
        return (0.8 * smooth + 0.2 * noise).MoveToOuterDisposeScope();
    }

    /// <summary>Logits and class ids of the network on <paramref name="images"/> (N x 3 x H x W).</summary>
    public static (float[] Logits, long[] ClassIds) Torch(SegmentationModel model, Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var logits = model.call(images);
        return (TensorData.ToArray<float>(logits), TensorData.ToArray<long>(logits.argmax(1)));
    }

    /// <summary>Runs an ONNX model with all graph optimizations on the CPU.</summary>
    public static (float[] Logits, long[] LogitsShape, long[] ClassIds, long[] ClassIdsShape) Ort(string path, float[] images, long[] shape)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(path, options);
        return Ort(session, images, shape);
    }

    public static (float[] Logits, long[] LogitsShape, long[] ClassIds, long[] ClassIdsShape) Ort(InferenceSession session, float[] images, long[] shape)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(images, shape);
        using var run = new RunOptions();
        using var outputs = session.Run(run, ["image"], [input], ["logits", "class_ids"]);
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[0].GetTensorTypeAndShape().Shape,
            outputs[1].GetTensorDataAsSpan<long>().ToArray(), outputs[1].GetTensorTypeAndShape().Shape);
    }

    /// <summary>max |ort - torch| / max |torch|.</summary>
    public static double RelativeError(float[] expected, float[] actual)
    {
        Assert.AreEqual(expected.Length, actual.Length, "element count");
        double scale = 0, error = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            error = Math.Max(error, Math.Abs(expected[i] - (double)actual[i]));
        }
        return error / Math.Max(scale, 1e-30);
    }

    /// <summary>
    /// The fraction of equal class ids (N x H x W, <paramref name="plane"/> = H x W), and whether every differing pixel is
    /// a near tie: its two best torch logits lie within 2 x the largest logit difference, the only way the arg-maxes of
    /// logits that close can differ.
    /// </summary>
    public static (double Agreement, bool OnlyTiesDiffer) Agreement(long[] expected, long[] actual, float[] expectedLogits, float[] actualLogits,
        long classes, long plane)
    {
        Assert.AreEqual(expected.Length, actual.Length, "element count");
        double maxDifference = expectedLogits.Zip(actualLogits).Max(p => Math.Abs(p.First - (double)p.Second));
        int equal = 0;
        bool onlyTies = true;
        for (long i = 0; i < expected.Length; i++)
        {
            if (expected[i] == actual[i])
            {
                equal++;
                continue;
            }
            long n = i / plane, offset = n * classes * plane + i % plane;
            var scores = Enumerable.Range(0, (int)classes).Select(k => (double)expectedLogits[offset + k * plane]).OrderDescending().ToArray();
            onlyTies &= scores[0] - scores[1] <= 2 * maxDifference;
        }
        return (equal / (double)expected.Length, onlyTies);
    }
}
