using MLNet.Segmentation.Samples;

// The first Ctrl+C asks the running command to stop (training stops after its step and keeps its checkpoint); a second
// one ends the process as usual.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (cancellation.IsCancellationRequested) return;
    e.Cancel = true;
    cancellation.Cancel();
};
return await CommandLine.RunAsync(args, Console.Out, Console.Error, cancellation.Token);
