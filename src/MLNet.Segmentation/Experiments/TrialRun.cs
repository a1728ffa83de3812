namespace MLNet.Segmentation.Experiments;

/// <summary>One training run of a sweep: a trial trained (or resumed) up to an epoch count.</summary>
/// <param name="Trial">The trial number.</param>
/// <param name="Rung">The successive-halving rung, or null.</param>
/// <param name="Parameters">The trial's hyperparameters.</param>
/// <param name="StopAfterEpochs">The epoch the run ends after.</param>
internal sealed record TrialRun(int Trial, int? Rung, TrialParameters Parameters, int StopAfterEpochs);
