using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Nn;

/// <summary>
/// Batch normalization over N, H, W per channel (torch.nn.BatchNorm2d): parameters "weight", "bias"; buffers
/// "running_mean", "running_var" and "num_batches_tracked" (int64), updated in training mode.
/// </summary>
public sealed class BatchNorm2d : Module
{
    /// <summary>
    /// Batch norm of <paramref name="numFeatures"/> channels. A null <paramref name="momentum"/> uses the cumulative
    /// average of batch statistics (1 / num_batches_tracked), as PyTorch.
    /// </summary>
    public BatchNorm2d(long numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool trackRunningStats = true)
    {
        if (numFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(numFeatures), numFeatures, "feature count must be positive");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        if (affine)
        {
            RegisterParameter("weight", Tensor.Ones([numFeatures]));
            RegisterParameter("bias", Tensor.Zeros([numFeatures]));
        }
        if (trackRunningStats)
        {
            RegisterBuffer("running_mean", Tensor.Zeros([numFeatures]));
            RegisterBuffer("running_var", Tensor.Ones([numFeatures]));
            RegisterBuffer("num_batches_tracked", Tensor.Zeros([], DType.Int64));
        }
    }

    /// <summary>Channels.</summary>
    public long NumFeatures { get; }

    /// <summary>Added to the variance for stability.</summary>
    public double Eps { get; }

    /// <summary>Weight of the newest batch in the running statistics, or null for a cumulative average.</summary>
    public double? Momentum { get; }

    /// <summary>Scale (gamma), or null when not affine.</summary>
    public Tensor? Weight => OptionalParameter("weight");

    /// <summary>Shift (beta), or null when not affine.</summary>
    public Tensor? Bias => OptionalParameter("bias");

    /// <summary>Running mean, or null when statistics are not tracked.</summary>
    public Tensor? RunningMean => OptionalBuffer("running_mean");

    /// <summary>Running (unbiased) variance, or null when statistics are not tracked.</summary>
    public Tensor? RunningVar => OptionalBuffer("running_var");

    /// <summary>Number of training batches seen, or null when statistics are not tracked.</summary>
    public Tensor? NumBatchesTracked => OptionalBuffer("num_batches_tracked");

    /// <summary>The kernel and bias folded with the convolution before this normalization, kept for eval mode (<see cref="BatchNormFolding"/>).</summary>
    internal DerivedTensorCache<ValueTuple> FoldCache { get; } = new();

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        if (input.Dim != 4) throw new ArgumentException($"BatchNorm2d expects N x C x H x W input, got {input.ShapeString}", nameof(input));
        // Training changes the statistics anyway: free the eval-mode folded kernel rather than keep it through training.
        if (IsTraining) FoldCache.Clear();
        double momentum = Momentum ?? 0;
        var tracked = NumBatchesTracked;
        if (IsTraining && tracked is not null)
        {
            using (Autograd.NoGrad()) tracked.AddIntegerInPlace(1);
            if (Momentum is null) momentum = 1.0 / tracked.ToInt64();
        }
        bool useBatchStats = IsTraining || RunningMean is null;
        return Functional.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, useBatchStats, momentum, Eps);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) FoldCache.Dispose();
        base.Dispose(disposing);
    }
}
