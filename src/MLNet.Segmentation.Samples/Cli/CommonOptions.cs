namespace MLNet.Segmentation.Samples.Cli;

/// <summary>Options several commands share, with one wording.</summary>
public static class CommonOptions
{
    /// <summary>--device auto|cpu|cuda[:N].</summary>
    public static readonly CommandOption Device =
        CommandOption.Valued("--device", "auto|cpu|cuda[:N]", "where to run [auto: CUDA when available, else the CPU]");

    /// <summary>--precision fp32|bf16|fp16.</summary>
    public static readonly CommandOption Precision =
        CommandOption.Valued("--precision", "fp32|bf16|fp16", "autocast precision [fp32]; bf16 on the CPU or CUDA, fp16 on CUDA only");

    /// <summary>--json.</summary>
    public static readonly CommandOption Json = CommandOption.Flag("--json", "print JSON instead of a table");

    /// <summary>--classes K for a benchmark.</summary>
    public static CommandOption Classes(int fallback) => CommandOption.Valued("--classes", "K", $"number of classes [{fallback}]");

    /// <summary>--arch with a benchmark's list.</summary>
    public static readonly CommandOption BenchArchitectures =
        CommandOption.Valued("--arch", "A,B,...", "networks to run: unet, segnet, fcn8s, deeplabv3plus [all four]");
}
