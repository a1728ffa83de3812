using Google.Protobuf;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Models;
using Onnx;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Onnx;

/// <summary>
/// Writes a segmentation network as an ONNX model (TorchSharp has no ONNX export): the graph mirrors the network's
/// inference-mode forward (BatchNorm with running statistics, no dropout), weights as float32 initializers. Input
/// "image": float32 N x C x H x W in [0, 1]; the manifest's mean/std normalization, when it has one, is applied inside
/// the graph. Outputs "logits" (float32 N x K x H x W) and "class_ids" (int64 N x H x W, arg-max over the classes).
/// The batch is always dynamic ("N"); the size is fixed (options, else the manifest's tile_size) or, with
/// <see cref="OnnxExportOptions.DynamicSize"/>, dynamic ("H", "W") with every pad and crop computed in the graph.
/// The metadata (ModelProto.metadata_props, JSON values) holds the manifest ("mlseg.manifest") and, for scorers without
/// this library, "architecture", "num_classes", "in_channels", "class_names", "class_colors", "ignore_index",
/// "background_class", "mean", "std", "tile_size", "input_height"/"input_width" (or "dynamic"), "min_input_size",
/// "batchnorm_folded", "input_contract" and "output_contract"; the producer is "MLNet.Segmentation".
/// </summary>
public static class OnnxExporter
{
    /// <summary>
    /// Exports <paramref name="network"/> (a U-Net, FCN, SegNet, DeconvNet or DeepLab of this library) described by
    /// <paramref name="manifest"/> (its architecture, options and counts are taken from the network) to
    /// <paramref name="onnxPath"/>, written atomically. Autoencoders and other modules are a <see cref="NotSupportedException"/>;
    /// bad options an <see cref="ArgumentException"/> naming the option.
    /// </summary>
    public static void Export(nn.Module<Tensor, Tensor> network, ModelManifest manifest, string onnxPath, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        var model = Build(network, manifest, options ?? new OnnxExportOptions());
        IO.AtomicFile.Write(onnxPath, stream => model.WriteTo(stream));
    }

    /// <summary>The ONNX model of <paramref name="network"/>, checked as <see cref="Export"/> checks it.</summary>
    internal static ModelProto Build(nn.Module<Tensor, Tensor> network, ModelManifest manifest, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(options);
        Nn.BatchNormFusion.ThrowIfFolded(network, "export the model to ONNX (OnnxExportOptions.FoldBatchNorm folds on export)");
        options.Validate();
        var model = Supported(network);
        var (key, architectureOptions) = ArchitectureRegistry.Describe(model);
        var complete = manifest with { Architecture = key, Options = architectureOptions, NumClasses = (int)model.NumClasses, InChannels = (int)model.InChannels };
        complete.Validate();
        var (height, width) = Size(complete, options);
        int minimum = model is UNet { Options.Padding: UNetPadding.Valid } ? 2 : 1;
        if (height < minimum || width < minimum)
            throw new ArgumentException($"OnnxExportOptions.Height/Width {height}x{width}: {model.Architecture} needs at least {minimum}x{minimum} pixels", nameof(options));

        CheckWeightSize(model);

        var g = new OnnxGraphBuilder(options.Opset, options.FoldBatchNorm);
        string image = g.Reserve("image");
        var input = new OnnxTensor(image, model.InChannels,
            height is { } h ? OnnxDim.Of(h) : OnnxDim.ShapeOf(image, 2), width is { } w ? OnnxDim.Of(w) : OnnxDim.ShapeOf(image, 3));
        var normalized = Normalize(g, input, complete);
        var x = model switch
        {
            UNet unet => UNetOnnx.Emit(g, normalized, unet),
            Fcn fcn => FcnOnnx.Emit(g, normalized, fcn),
            SegNet segnet => UnpoolingNetworksOnnx.SegNet(g, normalized, segnet),
            DeconvNet deconvnet => UnpoolingNetworksOnnx.DeconvNet(g, normalized, deconvnet),
            DeepLabV3 v3 => DeepLabOnnx.V3(g, normalized, v3),
            DeepLabV3Plus v3plus => DeepLabOnnx.V3Plus(g, normalized, v3plus),
            _ => throw Unsupported(model),
        };
        string logits = g.Reserve("logits"), classIds = g.Reserve("class_ids");
        g.NodeInto("Identity", [x.Name], logits);
        g.NodeInto("ArgMax", [logits], classIds, OnnxAttributes.Int("axis", 1), OnnxAttributes.Int("keepdims", 0));

        object H = height is { } fh ? fh : "H", W = width is { } fw ? fw : "W";
        g.Graph.Input.Add(OnnxValueInfo.Tensor(image, TensorProto.Types.DataType.Float, "N", model.InChannels, H, W));
        g.Graph.Output.Add(OnnxValueInfo.Tensor(logits, TensorProto.Types.DataType.Float, "N", model.NumClasses, H, W));
        g.Graph.Output.Add(OnnxValueInfo.Tensor(classIds, TensorProto.Types.DataType.Int64, "N", H, W));

        var proto = new ModelProto
        {
            IrVersion = options.IrVersion,
            ProducerName = "MLNet.Segmentation",
            ProducerVersion = complete.LibraryVersion,
            DocString = $"{model.Architecture} semantic segmentation, {model.NumClasses} classes; see the metadata for the input contract",
            Graph = g.Graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
        foreach (var (k, v) in OnnxMetadata.For(model, complete, options, height, width, minimum))
            proto.MetadataProps.Add(new StringStringEntryProto { Key = k, Value = v });
        return proto;
    }

    // Protobuf messages are limited to 2 GiB; the graph, names and metadata need a little room besides the weights.
    private const long MaxWeightBytes = (1L << 31) - (64L << 20);

    // The initializers hold every parameter and BatchNorm statistic (fewer when folded) as float32.
    private static void CheckWeightSize(SegmentationModel model)
    {
        long elements = model.parameters().Sum(p => p.numel())
            + model.named_buffers().Where(b => b.name.EndsWith("running_mean", StringComparison.Ordinal) || b.name.EndsWith("running_var", StringComparison.Ordinal))
                .Sum(b => b.buffer.numel());
        if (elements * sizeof(float) > MaxWeightBytes)
            throw new NotSupportedException(
                $"ONNX export: {model.Architecture}'s weights take {elements * sizeof(float) >> 20} MiB, more than one ONNX file holds (2 GiB protobuf limit; external data is not written)");
    }

    private static SegmentationModel Supported(nn.Module<Tensor, Tensor> network) => network switch
    {
        ConvAutoencoder autoencoder => throw new NotSupportedException(
            $"ONNX export: {autoencoder.Architecture} ({autoencoder.GetType().Name}) reconstructs images rather than segmenting them and cannot be exported; {SupportedText}"),
        UNet or Fcn or SegNet or DeconvNet or DeepLabV3 or DeepLabV3Plus => (SegmentationModel)network,
        SegmentationModel other => throw Unsupported(other),
        _ => throw new NotSupportedException($"ONNX export: {network.GetType().Name} is not a segmentation network of this library; {SupportedText}"),
    };

    private const string SupportedText = "supported: U-Net (same, valid, bilinear), FCN-32s/16s/8s, SegNet, DeconvNet, DeepLab v3 and v3+";

    private static NotSupportedException Unsupported(SegmentationModel model) =>
        new($"ONNX export: {model.Architecture} ({model.GetType().Name}) has no ONNX emitter; {SupportedText}");

    private static (int? Height, int? Width) Size(ModelManifest manifest, OnnxExportOptions options)
    {
        if (options.DynamicSize) return (null, null);
        int? height = options.Height ?? manifest.TileSize?[0], width = options.Width ?? manifest.TileSize?[1];
        if (height is null || width is null)
            throw new ArgumentException(
                $"OnnxExportOptions.{(height is null ? "Height" : "Width")} is needed for a fixed-size export: the manifest has no tile_size; give Height and Width, or DynamicSize = true",
                nameof(options));
        return (height, width);
    }

    private static OnnxTensor Normalize(OnnxGraphBuilder g, OnnxTensor x, ModelManifest manifest)
    {
        if (manifest.Mean is null || manifest.Std is null) return x;
        long c = manifest.InChannels;
        var centred = g.Elementwise("Sub", x, g.Floats("mean", manifest.Mean, 1, c, 1, 1));
        return g.Elementwise("Div", centred, g.Floats("std", manifest.Std, 1, c, 1, 1));
    }
}
