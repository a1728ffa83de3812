using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models;

namespace MLNet.Segmentation.Tests.Engine;

[TestClass]
public sealed class SingleImageConvolutionTests
{
    [TestMethod]
    [DataRow(3, 1, 1, 1, 1, true, false, false)]
    [DataRow(3, 2, 1, 1, 1, false, false, false)]
    [DataRow(3, 1, 2, 2, 1, true, false, false)]
    [DataRow(3, 1, 1, 1, 2, true, false, false)]
    [DataRow(1, 1, 0, 1, 1, true, false, false)]
    [DataRow(3, 1, 1, 1, 1, true, true, false)]
    [DataRow(3, 1, 1, 1, 1, true, false, true)]
    [DataRow(5, 2, 2, 1, 1, true, false, false)]
    public void ABatchOfOneMatchesTheFloat64ConvolutionInValueAndGradients(int kernel, int stride, int padding, int dilation, int groups,
        bool withBias, bool channelsLast, bool strided)
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(11);
        // A transposed view exercises non-contiguous input.
        var input = strided ? (Tensor.Rand([1, 4, 11, 13], g) - 0.5).Transpose(2, 3) : Tensor.Rand([1, 4, 13, 11], g) - 0.5;
        if (channelsLast) input = input.Contiguous(MemoryFormat.ChannelsLast);
        input = input.Detach().RequiresGrad_();
        var weight = (Tensor.Rand([6, 4 / groups, kernel, kernel], g) - 0.5).RequiresGrad_();
        var bias = withBias ? (Tensor.Rand([6], g) - 0.5).RequiresGrad_() : null;

        Assert.IsTrue(SingleImageConvolution.Applies(input, weight, bias, padding, dilation, groups), "routed to oneDNN");
        // The reference, the same convolution in float64, keeps libtorch's own kernel.
        Assert.IsFalse(SingleImageConvolution.Applies(input.To(DType.Float64), weight.To(DType.Float64), bias?.To(DType.Float64), padding, dilation, groups));
        Float64ConvolutionReference.AssertMatches(input, weight, bias, (x, w, b) => Functional.Conv2d(x, w, b, stride, padding, dilation, groups), g);
    }

    [TestMethod]
    public void OnlyFloat32CpuBatchesOfOneOutsideAutocastAreRouted()
    {
        using var scope = DisposeScope.Enter();
        var weight = Tensor.Zeros([2, 3, 3, 3]);
        Assert.IsTrue(SingleImageConvolution.Applies(Tensor.Zeros([1, 3, 8, 8]), weight, null, 1, 1, 1));
        Assert.IsFalse(SingleImageConvolution.Applies(Tensor.Zeros([2, 3, 8, 8]), weight, null, 1, 1, 1), "a batch of two already gets oneDNN");
        Assert.IsFalse(SingleImageConvolution.Applies(Tensor.Zeros([1, 4, 8, 8]), weight, null, 1, 1, 1), "wrong channel count");
        Assert.IsFalse(SingleImageConvolution.Applies(Tensor.Zeros([1, 3, 2, 2]), weight, null, 0, 1, 1), "kernel larger than the input");
        using (Autocast.Enable(Device.Cpu, DType.BFloat16))
            Assert.IsFalse(SingleImageConvolution.Applies(Tensor.Zeros([1, 3, 8, 8]), weight, null, 1, 1, 1), "autocast keeps aten::conv2d");
    }

    [TestMethod]
    public void BadInputStillGetsLibtorchsConvolutionMessage()
    {
        using var scope = DisposeScope.Enter();
        var e = Assert.Throws<TorchException>(() => Functional.Conv2d(Tensor.Zeros([1, 4, 8, 8]), Tensor.Zeros([2, 3, 3, 3])));
        StringAssert.Contains(e.Message, "channels");
    }

    [TestMethod]
    [DataRow("segnet")]
    [DataRow("deeplabv3plus-resnet50")]
    public void OneImageGetsTheLogitsItGetsInABatchOfTwo(string architecture)
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(12);
        using var model = ModelCatalog.Create(architecture, new ModelBuildSettings(3, 3, 8, generator));
        model.Eval();
        var images = Tensor.Rand([2, 3, 64, 64], generator);
        using var noGrad = Autograd.NoGrad();
        var pair = model.Forward(images);
        var single = model.Forward(images.Narrow(0, 0, 1));
        Assert.IsTrue(single.AllClose(pair.Narrow(0, 0, 1), 1e-4, 1e-5), $"{architecture}: differs by {(single - pair.Narrow(0, 0, 1)).Abs().Max().ToDouble():G3}");
    }
}
