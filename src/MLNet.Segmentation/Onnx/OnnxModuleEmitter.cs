using MLNet.Segmentation.Models;
using MLNet.Segmentation.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Onnx;

/// <summary>
/// Emits the layers the networks are made of, as their inference-mode forward computes them: Sequential (a convolution
/// followed by BatchNorm2d is folded when the builder says so), 2-D convolutions and transposed convolutions, BatchNorm2d,
/// ReLU, dropout (identity), max pooling, adaptive average pooling to 1 x 1, <see cref="Upsample2d"/>, residual blocks
/// (ours and torchvision-layout ones) and DeepLab's ASPP. The "name" arguments are state-dict prefixes,
/// used to name the initializers.
/// </summary>
internal static class OnnxModuleEmitter
{
    /// <summary>The output of <paramref name="module"/> on <paramref name="x"/>.</summary>
    public static OnnxTensor Module(OnnxGraphBuilder g, OnnxTensor x, nn.Module module, string name) => module switch
    {
        Sequential sequential => Sequential(g, x, sequential, name),
        Convolution conv => Convolution(g, x, conv, null, name),
        TorchSharp.Modules.BatchNorm bn => BatchNorm(g, x, bn, name),
        ReLU => g.Relu(x),
        Dropout or Dropout2d or Identity => x,
        MaxPool2d pool => MaxPool(g, x, pool, indices: false).Output,
        AdaptiveAvgPool2d pool when pool.output_size.All(s => s == 1) => g.GlobalAveragePool(x),
        Upsample2d upsample => Upsample(g, x, upsample),
        Aspp aspp => DeepLabOnnx.Aspp(g, x, aspp, name),
        AsppPooling pooling => DeepLabOnnx.AsppPooling(g, x, pooling, name),
        _ when ResNetOnnx.IsResidualBlock(module) => ResNetOnnx.Block(g, x, module, name),
        _ => throw new NotSupportedException($"ONNX export: no ONNX form is known for the layer {module.GetType().Name} ('{name}')"),
    };

    /// <summary>The children of <paramref name="sequential"/> in order.</summary>
    public static OnnxTensor Sequential(OnnxGraphBuilder g, OnnxTensor x, Sequential sequential, string name) =>
        Layers(g, x, OnnxModules.Children(sequential), name);

    /// <summary><paramref name="layers"/> applied in order (children of <paramref name="name"/>).</summary>
    public static OnnxTensor Layers(OnnxGraphBuilder g, OnnxTensor x, IReadOnlyList<(string Name, nn.Module Module)> layers, string name)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            var (childName, child) = layers[i];
            string path = Join(name, childName);
            if (child is Convolution conv && g.FoldBatchNorm && i + 1 < layers.Count && layers[i + 1].Module is TorchSharp.Modules.BatchNorm bn)
            {
                x = Convolution(g, x, conv, bn, path);
                i++;
            }
            else x = Module(g, x, child, path);
        }
        return x;
    }

    /// <summary>"a.b" from a prefix and a child name.</summary>
    public static string Join(string prefix, string child) => prefix.Length == 0 ? child : prefix + "." + child;

    /// <summary>A 2-D convolution or transposed convolution, with <paramref name="foldedBatchNorm"/> folded into its weights when given.</summary>
    public static OnnxTensor Convolution(OnnxGraphBuilder g, OnnxTensor x, Convolution conv, TorchSharp.Modules.BatchNorm? foldedBatchNorm, string name)
    {
        if (conv.kernel_size.Length != 2) throw new NotSupportedException($"ONNX export: '{name}' is not a 2-D convolution");
        if (conv.padding_mode != PaddingModes.Zeros)
            throw new NotSupportedException($"ONNX export: '{name}' pads with {conv.padding_mode}; only zero padding is supported");
        long[] padding = conv.padding ?? (conv.padding_type == Padding.Valid ? [0, 0]
            : throw new NotSupportedException($"ONNX export: '{name}' uses padding '{conv.padding_type}'; explicit padding is supported"));
        long[] Pair(long[] v) => v.Length == 1 ? [v[0], v[0]] : v;
        padding = Pair(padding);
        float[] weight = Engine.TensorData.Floats(conv.weight);
        float[]? bias = conv.bias is { } b ? Engine.TensorData.Floats(b) : null;
        long[] dims = conv.weight.shape;
        bool transposed = conv is ConvolutionTranspose;
        if (foldedBatchNorm is not null)
            (weight, bias) = Nn.BatchNormFolding.Fold(weight, dims, bias, transposed, conv.groups, OnnxModules.BatchNorm(foldedBatchNorm));
        return transposed
            ? g.ConvTranspose(x, name, weight, dims, bias, Pair(conv.stride), padding, Pair(conv.output_padding), Pair(conv.dilation), conv.groups)
            : g.Conv(x, name, weight, dims, bias, Pair(conv.stride), padding, Pair(conv.dilation), conv.groups);
    }

    /// <summary>Inference-mode BatchNorm2d.</summary>
    public static OnnxTensor BatchNorm(OnnxGraphBuilder g, OnnxTensor x, TorchSharp.Modules.BatchNorm bn, string name)
    {
        var p = OnnxModules.BatchNorm(bn);
        return g.BatchNorm(x, name, p.Scale, p.Bias, p.Mean, p.Variance, p.Eps);
    }

    /// <summary>A max pooling layer with a square window (floor mode), optionally with its indices.</summary>
    public static (OnnxTensor Output, string? Indices) MaxPool(OnnxGraphBuilder g, OnnxTensor x, MaxPool2d pool, bool indices)
    {
        long Square(long[]? v, long fallback, string what)
        {
            if (v is null || v.Length == 0) return fallback;
            if (v.Any(e => e != v[0])) throw new NotSupportedException($"ONNX export: max pooling with a non-square {what} is not supported");
            return v[0];
        }
        if (pool.ceil_mode) throw new NotSupportedException("ONNX export: max pooling in ceil mode is not supported");
        long kernel = Square(pool.kernel_size, 1, "kernel");
        return g.MaxPool(x, kernel, Square(pool.stride, kernel, "stride"), Square(pool.padding, 0, "padding"), Square(pool.dilation, 1, "dilation"), indices);
    }

    private static OnnxTensor Upsample(OnnxGraphBuilder g, OnnxTensor x, Upsample2d upsample)
    {
        if (upsample.Mode == Upsample2dMode.ZeroInsertion || (upsample.Mode == Upsample2dMode.Bilinear && upsample.AlignCorners))
            throw new NotSupportedException($"ONNX export: Upsample2d {upsample.Mode}{(upsample.AlignCorners ? " with aligned corners" : "")} is not supported");
        return g.Resize(x, g.Mul(x.Height, upsample.ScaleFactor), g.Mul(x.Width, upsample.ScaleFactor), upsample.Mode == Upsample2dMode.Bilinear);
    }
}
