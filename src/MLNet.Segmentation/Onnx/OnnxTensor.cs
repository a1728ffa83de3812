namespace MLNet.Segmentation.Onnx;

/// <summary>An N x <paramref name="Channels"/> x H x W float32 value of the graph being built, with its spatial size.</summary>
internal sealed record OnnxTensor(string Name, long Channels, OnnxDim Height, OnnxDim Width);
