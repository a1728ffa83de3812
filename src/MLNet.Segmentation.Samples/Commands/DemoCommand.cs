namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg demo`: the main job. Training is not in the package yet (issue #6), so for now it says so and
/// prints the engine information of `mlseg info`.
/// </summary>
public sealed class DemoCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "demo";

    /// <inheritdoc />
    public string Summary => "train and evaluate a small U-Net on generated data (engine info until training lands)";

    /// <inheritdoc />
    public Task<int> RunAsync(string[] args, TextWriter output)
    {
        output.WriteLine("mlseg demo: training is not available yet; showing the engine the demo will run on.");
        return new InfoCommand().RunAsync([], output);
    }
}
