using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Losses;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Nn;

namespace MLNet.Segmentation.Tests.Nn;

[TestClass]
public sealed class MemoryFormatTests
{
    [TestMethod]
    public void ChannelsLastKeepsValuesAndChangesTheLayout()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.Arange(24).Reshape(1, 2, 3, 4);
        var last = x.Contiguous(MemoryFormat.ChannelsLast);
        Assert.IsTrue(last.IsContiguous(MemoryFormat.ChannelsLast));
        Assert.IsFalse(last.IsContiguous(MemoryFormat.Contiguous));
        Assert.IsTrue(last.Equal(x));
        // ToArray reads logical (N, C, H, W) order whatever the layout.
        CollectionAssert.AreEqual(x.ToArray<long>(), last.ToArray<long>());
        Assert.Throws<ArgumentException>(() => Tensor.Zeros([3, 4]).Contiguous(MemoryFormat.ChannelsLast));
    }

    [TestMethod]
    [DataRow("unet")]
    [DataRow("segnet")]
    [DataRow("fcn-8s")]
    [DataRow("deeplabv3plus-resnet50")]
    public void ChannelsLastNetworksGiveTheSameLogitsAndGradients(string architecture)
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(5);
        using var reference = ModelCatalog.Create(architecture, new ModelBuildSettings(3, 3, 16, generator));
        using var model = ModelCatalog.Create(architecture, new ModelBuildSettings(3, 3, 16, new Generator(5)));
        using (var state = reference.StateDict()) model.LoadStateDict(state);
        model.To(MemoryFormat.ChannelsLast);
        // Eval mode: no dropout draws (FCN, DeepLab), so both passes compute the same function.
        reference.Eval();
        model.Eval();
        var kernels = model.NamedParameters().Where(p => p.Tensor.Dim == 4).ToList();
        Assert.IsTrue(kernels.Count > 0 && kernels.All(p => p.Tensor.IsContiguous(MemoryFormat.ChannelsLast)), "4-D kernels are channels-last");

        var images = Tensor.Rand([2, 3, 64, 64], generator);
        var masks = Tensor.RandInt(0, 3, [2, 64, 64], generator);
        var loss = new CrossEntropyLoss();
        var expected = reference.Forward(images);
        loss.Compute(expected, masks).Backward();
        var actual = model.Forward(images.Contiguous(MemoryFormat.ChannelsLast));
        loss.Compute(actual, masks).Backward();

        Assert.IsTrue(actual.AllClose(expected, 1e-4, 1e-5), $"{architecture}: logits differ by up to {(actual - expected).Abs().Max().ToDouble():G3}");
        var referenceGrads = reference.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor.Grad);
        foreach (var (name, parameter) in model.NamedParameters())
            Assert.IsTrue(parameter.Grad!.AllClose(referenceGrads[name]!, 1e-3, 1e-4), $"{architecture}: gradient of {name}");
    }

    [TestMethod]
    public void ChangingTheLayoutKeepsTheParametersSoAnEarlierOptimizerStillUpdatesThem()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(7);
        using var model = new Sequential(new Conv2d(3, 4, 3, padding: 1, generator: generator), new BatchNorm2d(4));
        var kernel = ((Conv2d)model[0]).Weight;
        var before = kernel.Clone();
        using var optimizer = new MLNet.Segmentation.Training.Optimizers.Sgd(model.Parameters().ToList(),
            new MLNet.Segmentation.Training.Optimizers.SgdOptions { LearningRate = 0.5 });

        model.To(MemoryFormat.ChannelsLast);
        Assert.AreSame(kernel, ((Conv2d)model[0]).Weight, "the same tensor object");
        Assert.IsTrue(kernel.IsContiguous(MemoryFormat.ChannelsLast));
        Assert.IsTrue(kernel.RequiresGrad);
        Assert.IsTrue(kernel.Equal(before), "same values");

        var images = Tensor.Rand([2, 3, 5, 5], generator).Contiguous(MemoryFormat.ChannelsLast);
        model.Forward(images).Sum().Backward();
        var expected = before - 0.5 * kernel.Grad!;
        optimizer.Step();
        Assert.IsTrue(kernel.AllClose(expected, 1e-6, 1e-7), "the optimizer created before the layout change updated the kernel");
    }

    [TestMethod]
    [DataRow("unet")]
    [DataRow("segnet")]
    [DataRow("fcn-8s")]
    [DataRow("deeplabv3plus-resnet50")]
    [DataRow("deconvnet")]
    public void AChannelsLastInputStaysChannelsLastThroughTheNetworkWithContiguousKernels(string architecture)
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(9);
        using var model = ModelCatalog.Create(architecture, new ModelBuildSettings(3, 3, 16, generator));
        model.Eval();
        var images = Tensor.Rand([2, 3, 64, 64], generator);
        using var noGrad = Autograd.NoGrad();
        var expected = model.Forward(images);
        var logits = model.Forward(images.Contiguous(MemoryFormat.ChannelsLast));
        Assert.IsTrue(model.Parameters().Where(p => p.Dim == 4).All(p => p.IsContiguous(MemoryFormat.Contiguous)), "kernels untouched");
        // The logits may be a crop (a view); clone keeps the layout its strides suggest.
        Assert.IsTrue(logits.Clone().IsChannelsLastOnly(), $"{architecture}: channels-last logits");
        Assert.IsTrue(logits.AllClose(expected, 1e-4, 1e-5), $"{architecture}: differs by {(logits - expected).Abs().Max().ToDouble():G3}");
    }
}
