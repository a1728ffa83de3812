using MLNet.Segmentation.Engine;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Nn;

/// <summary>
/// Folds inference-mode BatchNorm into the convolution before it, in place (as torch.nn.utils.fuse_conv_bn_eval, and
/// issue #21's first inference lever): with s = gamma / sqrt(running_var + eps), the convolution's weight becomes
/// weight * s and its bias (bias - running_mean) * s + beta, and the BatchNorm passes its input through. The network
/// computes the same function in eval mode, up to float32 rounding, with one pass over each activation less. The folding
/// is one way: a folded model refuses to train and to be saved; load it again for that. Folded are the (convolution,
/// <see cref="SafeBatchNorm2d"/>) pairs that are adjacent in a <see cref="Sequential"/> and those modules declare through
/// <see cref="IConvBatchNormPairs"/>; other BatchNorm layers stay as they are.
/// </summary>
public static class BatchNormFusion
{
    /// <summary>Folds every such pair of <paramref name="model"/> (and puts it in eval mode); returns how many were folded.</summary>
    public static int FoldInPlace(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        TorchRuntime.EnsureInitialized();
        model.eval();
        int folded = 0;
        using var noGrad = no_grad();
        foreach (var module in model.modules().Prepend(model))
            foreach (var (convolution, batchNorm) in Pairs(module))
                if (!batchNorm.IsFolded && Fold(convolution, batchNorm)) folded++;
        return folded;
    }

    /// <summary>Whether any BatchNorm of <paramref name="model"/> has been folded.</summary>
    public static bool IsFolded(nn.Module model) =>
        model.modules().Prepend(model).Any(m => m is SafeBatchNorm2d { IsFolded: true });

    /// <summary>Throws when <paramref name="model"/> has been folded: its state_dict no longer has the architecture's shape.</summary>
    public static void ThrowIfFolded(nn.Module model, string action)
    {
        if (IsFolded(model))
            throw new InvalidOperationException($"cannot {action}: its BatchNorm layers were folded into its convolutions for inference (BatchNormFusion.FoldInPlace); load the model again");
    }

    private static IEnumerable<(Convolution, SafeBatchNorm2d)> Pairs(nn.Module module)
    {
        if (module is IConvBatchNormPairs declared) return declared.ConvBatchNormPairs();
        if (module is not Sequential sequential) return [];
        var children = sequential.children().ToList();
        return children.Zip(children.Skip(1))
            .Where(pair => pair.First is Convolution && pair.Second is SafeBatchNorm2d)
            .Select(pair => ((Convolution)pair.First, (SafeBatchNorm2d)pair.Second))
            .ToList();
    }

    private static bool Fold(Convolution convolution, SafeBatchNorm2d batchNorm)
    {
        var bn = BatchNormParameters.Of(batchNorm);
        if (bn is null) return false; // batch statistics even in eval mode: nothing fixed to fold
        var weight = convolution.weight!;
        bool transposed = convolution is ConvolutionTranspose;
        long groups = convolution.groups, outChannels = transposed ? weight.size(1) * groups : weight.size(0);
        // The kernels are scaled in place in libtorch, one at a time: no managed copy of the weights (it would stay in
        // the GC heap, and in the resident memory, until the next full collection). Scale and bias (one value per
        // channel) are the ONNX exporter's, in float64.
        var (scale, foldedBias) = BatchNormFolding.ScaleAndBias(outChannels, convolution.bias is { } b ? TensorData.Floats(b) : null, bn);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var scale64 = tensor(scale, ScalarType.Float64, weight.device);
        var wide = weight.to(ScalarType.Float64);
        var scaled = transposed
            ? wide.view(groups, weight.size(0) / groups, weight.size(1), -1) * scale64.view(groups, 1, weight.size(1), 1)
            : wide.view(outChannels, -1) * scale64.view(outChannels, 1);
        weight.copy_(scaled.view(weight.shape));
        var host = TensorData.FromArray(foldedBias);
        if (convolution.bias is { } existing) existing.copy_(host);
        else convolution.bias = new Parameter(host.to(weight.dtype, weight.device).DetachFromDisposeScope(), requires_grad: weight.requires_grad);
        batchNorm.MarkFolded();
        return true;
    }
}
