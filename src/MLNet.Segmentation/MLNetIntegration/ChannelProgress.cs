using Microsoft.ML.Runtime;
using MLNet.Segmentation.Training;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// Training progress the ML.NET way, as its TorchSharp trainers report it and more: the host's progress channel carries
/// epoch and step with loss, images/s, learning rate and validation mIoU (checkpointed each epoch); the host channel logs
/// a Trace line per step and an Info line per epoch, which <c>MLContext.Log</c> receives; the user's
/// <see cref="IProgress{T}"/> gets every event.
/// </summary>
internal sealed class ChannelProgress(IChannel channel, IProgressChannel progressChannel, IProgress<TrainingProgress>? user) : IProgress<TrainingProgress>
{
    private TrainingProgress? _last;
    private bool _started;

    public void Report(TrainingProgress value)
    {
        if (!_started) Start();
        _last = value;
        if (value.Kind == ProgressKind.Step)
        {
            channel.Trace(MessageSensitivity.None, FormattableString.Invariant(
                $"epoch {value.Epoch}/{value.Epochs}, step {value.Step}/{value.StepsPerEpoch}: loss {value.Loss:F4}, lr {value.LearningRate:G3}, {value.ImagesPerSecond:F1} images/s"));
        }
        else
        {
            progressChannel.Checkpoint(value.Loss, value.ImagesPerSecond, value.LearningRate, value.Validation?.MeanIoU);
            string validation = value.Validation is { } v ? FormattableString.Invariant($", validation mIoU {v.MeanIoU:F4}") : "";
            channel.Info(MessageSensitivity.None, FormattableString.Invariant(
                $"epoch {value.Epoch}/{value.Epochs}: loss {value.Loss:F4}, lr {value.LearningRate:G3}{validation}, {value.ImagesPerSecond:F1} images/s"));
        }
        user?.Report(value);
    }

    private void Start()
    {
        _started = true;
        progressChannel.SetHeader(new ProgressHeader(["loss", "images/s", "learning rate", "validation mIoU"], ["epoch", "step"]), entry =>
        {
            if (_last is not { } p) return;
            entry.SetProgress(0, p.Epoch - 1, p.Epochs);
            entry.SetProgress(1, p.Step, p.StepsPerEpoch);
            entry.SetMetric(0, p.Loss);
            entry.SetMetric(1, p.ImagesPerSecond);
            entry.SetMetric(2, p.LearningRate);
            if (p.Validation is { } v) entry.SetMetric(3, v.MeanIoU);
        });
    }
}
