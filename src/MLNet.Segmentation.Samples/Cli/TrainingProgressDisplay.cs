using System.Globalization;
using MLNet.Segmentation.Training;
using Spectre.Console;

namespace MLNet.Segmentation.Samples.Cli;

/// <summary>
/// Shows <see cref="TrainingProgress"/> events: progress bars for the run and the current epoch (loss, learning rate,
/// images/s, ETA) on an interactive terminal, one line per epoch otherwise.
/// </summary>
public static class TrainingProgressDisplay
{
    /// <summary>Runs <paramref name="train"/> with a progress sink suited to <paramref name="terminal"/>.</summary>
    public static T Run<T>(Terminal terminal, Func<IProgress<TrainingProgress>, T> train)
    {
        if (!terminal.IsInteractive) return train(new LineProgress(terminal));
        T result = default!;
        terminal.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context => result = train(new BarProgress(terminal, context)));
        return result;
    }

    /// <summary>The one-line summary of an epoch.</summary>
    public static string EpochLine(TrainingProgress p)
    {
        string validation = p.Validation is { } v ? FormattableString.Invariant($"val mIoU {v.MeanIoU:F3}  pixel acc {v.PixelAccuracy:F3}  ") : "";
        return FormattableString.Invariant(
            $"epoch {p.Epoch,3}/{p.Epochs}  loss {p.Loss:F4}  lr {p.LearningRate:0.00e+0}  {validation}{p.ImagesPerSecond:F1} img/s  ETA {p.EstimatedRemaining:hh\\:mm\\:ss}");
    }

    private sealed class LineProgress(Terminal terminal) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            if (p.Kind == ProgressKind.EpochEnd) terminal.Line(EpochLine(p));
        }
    }

    private sealed class BarProgress(Terminal terminal, ProgressContext context) : IProgress<TrainingProgress>
    {
        private ProgressTask? _run, _epoch;

        public void Report(TrainingProgress p)
        {
            _run ??= context.AddTask("training", maxValue: (double)p.Epochs * p.StepsPerEpoch);
            _epoch ??= context.AddTask("epoch", maxValue: p.StepsPerEpoch);
            _run.MaxValue = (double)p.Epochs * p.StepsPerEpoch; // a time budget re-plans the epochs as they run
            if (p.Kind == ProgressKind.Step)
            {
                _run.Value = (double)(p.Epoch - 1) * p.StepsPerEpoch + p.Step;
                _epoch.Value = p.Step;
                _run.Description = $"training [grey]{p.Epoch}/{p.Epochs}[/]";
                _epoch.Description = string.Create(CultureInfo.InvariantCulture,
                    $"loss [yellow]{p.Loss:F4}[/] lr {p.LearningRate:0.0e+0} {p.ImagesPerSecond:F1} img/s");
                return;
            }
            terminal.Console.MarkupLine(Markup.Escape(EpochLine(p)));
            _epoch.Value = 0;
            if (p.Epoch == p.Epochs)
            {
                _run.Value = _run.MaxValue;
                _epoch.StopTask();
                _run.StopTask();
            }
        }
    }
}
