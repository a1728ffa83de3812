using MLNet.Segmentation.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Onnx;

/// <summary>
/// U-Net as its forward computes it: 'same' zero-pads to a multiple of 2^Depth; 'valid' mirror-pads so the valid output
/// covers the input (overlap-tile), its skips center-cropped; the logits are cropped to the input size.
/// </summary>
internal static class UNetOnnx
{
    public static OnnxTensor Emit(OnnxGraphBuilder g, OnnxTensor input, UNet model)
    {
        int depth = model.Options.Depth;
        var x = model.Options.Padding == UNetPadding.Same
            ? OnnxSpatialFit.PadToMultiple(g, input, 1L << depth)
            : MirrorPadForValid(g, input, depth);
        var levels = new List<OnnxTensor>();
        var encoder = OnnxModules.Child<UNetEncoder>(model, "encoder");
        for (int level = 0; level <= depth; level++)
        {
            var pooled = level > 0 ? g.MaxPool(x, 2, 2, 0, 1, indices: false).Output : x;
            string name = $"encoder.{level}";
            x = OnnxModuleEmitter.Module(g, pooled, OnnxModules.Child<Sequential>(encoder, level.ToString(System.Globalization.CultureInfo.InvariantCulture)), name);
            levels.Add(x);
        }
        var decoder = OnnxModules.Children(OnnxModules.Child<nn.Module>(model, "decoder"));
        var y = levels[^1];
        for (int i = 0; i < decoder.Count; i++)
        {
            string name = $"decoder.{decoder[i].Name}";
            var block = decoder[i].Module;
            var up = OnnxModuleEmitter.Module(g, y, OnnxModules.Child<nn.Module>(block, "up"), name + ".up");
            // 'same' inputs are padded to a multiple of 2^Depth, so skips and upsampled maps always agree in size.
            var skip = levels[levels.Count - 2 - i];
            if (model.Options.Padding == UNetPadding.Valid) skip = OnnxSpatialFit.CenterCrop(g, skip, up.Height, up.Width);
            y = OnnxModuleEmitter.Module(g, g.Concat([skip, up]), OnnxModules.Child<Sequential>(block, "conv"), name + ".conv");
        }
        var logits = OnnxModuleEmitter.Module(g, y, OnnxModules.Child<nn.Module>(model, "classifier"), "classifier");
        return OnnxSpatialFit.CropTopLeft(g, logits, input.Height, input.Width);
    }

    /// <summary>
    /// <see cref="UNet.ValidInputSize"/> in closed form: valid inputs are 2^d m + 4 (2^d - 1) with output
    /// 2^d (m - 8) + 4, so the smallest covering <paramref name="output"/> has m = 8 + ceil((output - 4) / 2^d),
    /// written with a non-negative numerator as 6 + (output - 5 + 3 * 2^d) / 2^d.
    /// </summary>
    public static OnnxDim ValidInputSize(OnnxGraphBuilder g, OnnxDim output, int depth)
    {
        long p = 1L << depth;
        var m = g.Add(g.Div(g.Add(output, 3 * p - 5), p), 6);
        return g.Add(g.Mul(m, p), 4 * (p - 1));
    }

    /// <summary>Pixels the valid network loses on the top (and left): (input - output) / 2 = 6 * 2^d - 4 for every valid input.</summary>
    public static long ValidMargin(int depth) => 6 * (1L << depth) - 4;

    private static OnnxTensor MirrorPadForValid(OnnxGraphBuilder g, OnnxTensor x, int depth)
    {
        long margin = ValidMargin(depth);
        OnnxDim inH = ValidInputSize(g, x.Height, depth), inW = ValidInputSize(g, x.Width, depth);
        var top = OnnxDim.Of(margin);
        return OnnxSpatialFit.MirrorPad(g, x, top, g.Sub(g.Sub(inH, x.Height), margin), top, g.Sub(g.Sub(inW, x.Width), margin),
            MirrorPadSteps(depth));
    }

    /// <summary>
    /// Steps that mirror-pad a 2-pixel side by the margin on one end and up to 7 * 2^d on the other, the most a
    /// dynamic-size input needs (bottom = input - size - margin &lt;= 7 * 2^d - 1); larger sides need no more.
    /// </summary>
    public static int MirrorPadSteps(int depth)
    {
        long size = 2, top = ValidMargin(depth), bottom = 7 * (1L << depth);
        int steps = 0;
        while (top > 0 || bottom > 0)
        {
            long t = Math.Min(top, size - 1), b = Math.Min(bottom, size - 1);
            size += t + b;
            top -= t;
            bottom -= b;
            steps++;
        }
        return steps;
    }
}
