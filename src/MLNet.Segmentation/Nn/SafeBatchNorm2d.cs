using MLNet.Segmentation.Engine;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Nn;

/// <summary>
/// 2-D batch normalization with <c>nn.BatchNorm2d</c>'s parameters, buffers and state_dict names ("weight", "bias",
/// "running_mean", "running_var", "num_batches_tracked") and the same forward, except that counting a training batch
/// passes owned Scalars: TorchSharp's <c>BatchNorm2d</c> adds 1 to "num_batches_tracked" through two temporary Scalars
/// that the garbage collector may free while libtorch reads them (see <see cref="OwnedScalars"/>). Make one with
/// <see cref="Layers.BatchNorm2d"/>.
/// </summary>
public sealed class SafeBatchNorm2d : BatchNorm
{
    internal SafeBatchNorm2d(long features, double eps, double momentum)
        : base(features, eps, momentum, affine: true, track_running_stats: true, device: null, dtype: null, name: "BatchNorm2d")
    {
    }

    /// <summary>True once <see cref="BatchNormFusion"/> folded this layer into the convolution before it: it passes its input through.</summary>
    public bool IsFolded { get; private set; }

    internal void MarkFolded() => IsFolded = true;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        if (IsFolded)
        {
            if (training)
                throw new InvalidOperationException("this BatchNorm2d was folded into the convolution before it for inference (BatchNormFusion.FoldInPlace) and cannot train; load the model again");
            return input.alias();
        }
        double averagingFactor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is not null)
        {
            num_batches_tracked.add_(OwnedScalars.One, OwnedScalars.One);
            if (momentum is null) averagingFactor = 1.0 / num_batches_tracked.item<long>();
        }
        bool useBatchStatistics = training || (running_mean is null && running_var is null);
        bool useRunningStatistics = !training || track_running_stats;
        return nn.functional.batch_norm(input, useRunningStatistics ? running_mean : null, useRunningStatistics ? running_var : null,
            weight, bias, useBatchStatistics, averagingFactor, eps);
    }

    /// <inheritdoc />
    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4)
            throw new ArgumentException($"BatchNorm2d expects N x {num_features} x H x W input, got {TensorData.ShapeOf(input)}", nameof(input));
    }
}
