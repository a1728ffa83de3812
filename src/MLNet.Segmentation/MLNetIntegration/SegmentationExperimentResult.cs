using MLNet.Segmentation.Experiments;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>The outcome of a <see cref="SegmentationExperiment"/>: the sweep's trials and the best trial's fitted model.</summary>
public sealed class SegmentationExperimentResult
{
    internal SegmentationExperimentResult(SweepResult sweep, SegmentationTransformer bestModel)
    {
        Sweep = sweep;
        BestModel = bestModel;
        BestTrial = sweep.Best!;
    }

    /// <summary>The sweep's results and files (trial log, best.mlseg.zip, sweep.json, sweep.html).</summary>
    public SweepResult Sweep { get; }

    /// <summary>Every trial.</summary>
    public IReadOnlyList<TrialResult> Trials => Sweep.Trials;

    /// <summary>The best trial.</summary>
    public TrialResult BestTrial { get; }

    /// <summary>
    /// The best trial's network as a fitted transformer (the ITransformer its trainer's Fit returns): it appends the
    /// predicted label column (and the score column when asked for) to the image rows. Save it with <c>SaveModel</c>.
    /// </summary>
    public SegmentationTransformer BestModel { get; }
}
