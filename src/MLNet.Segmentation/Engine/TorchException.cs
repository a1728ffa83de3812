namespace MLNet.Segmentation.Engine;

/// <summary>An error reported by libtorch (a bad shape, dtype or argument), carried into managed code.</summary>
public sealed class TorchException : Exception
{
    /// <summary>Creates the exception from the failing operation's name and libtorch's message.</summary>
    public TorchException(string? operation, string nativeMessage)
        : base(operation is null ? nativeMessage : $"{operation}: {nativeMessage}")
    {
        Operation = operation;
        NativeMessage = nativeMessage;
    }

    /// <summary>The operator or bridge call that failed, e.g. "aten::conv2d".</summary>
    public string? Operation { get; }

    /// <summary>libtorch's message, without the C++ backtrace.</summary>
    public string NativeMessage { get; }
}
