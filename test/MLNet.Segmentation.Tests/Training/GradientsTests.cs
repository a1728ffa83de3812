using MLNet.Segmentation.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Training;

/// <summary><see cref="Gradients.SetToNone"/>: gradients dropped, and the next backward pass's are not summed onto old ones.</summary>
[TestClass]
public sealed class GradientsTests
{
    [TestMethod]
    public void DroppedGradientsAreGoneAndTheNextBackwardGivesFreshOnes()
    {
        using var scope = NewDisposeScope();
        using var layer = nn.Linear(3, 2);
        var parameters = layer.parameters().ToList();
        var x = tensor(new float[] { 1, 2, 3 }).view(1, 3);
        layer.call(x).sum().backward();
        Gradients.SetToNone(parameters);
        Assert.IsTrue(parameters.All(p => p.grad is null), "no gradient left");
        layer.call(x).sum().backward();
        // d(sum(Wx + b))/dW = x for each output row, /db = 1: the values of one pass, not two summed.
        CollectionAssert.AreEqual(new float[] { 1, 2, 3, 1, 2, 3 }, layer.weight!.grad!.data<float>().ToArray());
        CollectionAssert.AreEqual(new float[] { 1, 1 }, layer.bias!.grad!.data<float>().ToArray());
        Gradients.SetToNone(parameters); // parameters without gradients are left as they are
        Gradients.SetToNone(parameters);
        Assert.IsNull(layer.weight!.grad);
    }

    [TestMethod]
    public void TheTrainerDropsGradientsByDefault() => Assert.IsTrue(new TrainerOptions { NumClasses = 2 }.GradientsToNone);
}
