using System.Collections;
using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Nn;

/// <summary>Applies its children in order; they are named "0", "1", ... as in torch.nn.Sequential.</summary>
public class Sequential : Module, IEnumerable<Module>
{
    private readonly List<Module> _layers = new();

    /// <summary>A sequence of <paramref name="layers"/>.</summary>
    public Sequential(params Module[] layers)
    {
        foreach (var layer in layers) Add(layer);
    }

    /// <summary>Appends a layer (named by its position).</summary>
    public void Add(Module layer)
    {
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
    }

    /// <summary>The number of layers.</summary>
    public int Count => _layers.Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public Module this[int index] => _layers[index];

    /// <summary>The layers in order, without copying.</summary>
    internal ReadOnlySpan<Module> Layers => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_layers);

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Intermediate.Through(input, releaseInput: false, Layers);

    /// <inheritdoc />
    public IEnumerator<Module> GetEnumerator() => _layers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Holds children named "0", "1", ... without a forward of its own (torch.nn.ModuleList).</summary>
public sealed class ModuleList : Module, IEnumerable<Module>
{
    private readonly List<Module> _items = new();

    /// <summary>A list of <paramref name="modules"/>.</summary>
    public ModuleList(params Module[] modules)
    {
        foreach (var module in modules) Add(module);
    }

    /// <summary>Appends a module (named by its position).</summary>
    public void Add(Module module)
    {
        RegisterModule(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _items.Add(module);
    }

    /// <summary>The number of modules.</summary>
    public int Count => _items.Count;

    /// <summary>The module at <paramref name="index"/>.</summary>
    public Module this[int index] => _items[index];

    /// <summary>Not supported: a module list has no forward.</summary>
    public override Tensor Forward(Tensor input) => throw new InvalidOperationException("a ModuleList has no Forward; call its items");

    /// <inheritdoc />
    public IEnumerator<Module> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
