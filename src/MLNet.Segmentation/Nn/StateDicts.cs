using static TorchSharp.torch;

namespace MLNet.Segmentation.Nn;

/// <summary>State-dict reading and checked loading for any TorchSharp module (ours, TorchVision's, a user's).</summary>
public static class StateDicts
{
    /// <summary>
    /// Parameters and buffers by PyTorch's dotted names and in PyTorch's order (module by module, depth first: each
    /// module's parameters, then its persistent buffers, then its children; TorchSharp's own <c>state_dict()</c> lists every
    /// parameter before every buffer), as new handles sharing the module's storage (or independent copies when
    /// <paramref name="copy"/>); dispose the result to release the handles.
    /// </summary>
    public static StateDict StateDictOf(this nn.Module module, bool copy = false)
    {
        ArgumentNullException.ThrowIfNull(module);
        var entries = module.state_dict();
        var order = new List<string>();
        CollectNames(module, "", order);
        var dict = new StateDict();
        using var scope = NewDisposeScope();   // frees the intermediate detach() handles of copies; Add keeps the results
        using (no_grad())
        {
            foreach (var name in order.Where(entries.ContainsKey).Concat(entries.Keys.Except(order, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal))
                dict.Add(name, copy ? entries[name].detach().clone() : entries[name].detach());
        }
        return dict;
    }

    private static void CollectNames(nn.Module module, string prefix, List<string> names)
    {
        foreach (var (name, _) in module.named_parameters(recurse: false)) names.Add(prefix + name);
        foreach (var (name, _) in module.named_buffers(recurse: false, include_nonpersistent: false)) names.Add(prefix + name);
        foreach (var (name, child) in module.named_children()) CollectNames(child, prefix + name + ".", names);
    }

    /// <summary>
    /// Copies tensors from <paramref name="source"/> into the module's parameters and buffers (converting dtype and
    /// device). Strict mode requires an exact match of names and shapes and throws <see cref="StateDictMismatchException"/>
    /// before copying anything; non-strict mode copies what matches and reports the rest (e.g. loading a backbone only).
    /// Unlike TorchSharp's <c>load_state_dict</c>, shapes are checked, so nothing is broadcast into a wrong-sized tensor.
    /// </summary>
    public static StateDictLoadReport Load(this nn.Module module, IReadOnlyDictionary<string, Tensor> source, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(source);
        var targets = module.state_dict();
        var missing = new List<string>();
        var mismatched = new List<StateDictShapeMismatch>();
        var matched = new List<(Tensor Target, Tensor Source)>();
        foreach (var (name, target) in targets)
        {
            if (!source.TryGetValue(name, out var value)) { missing.Add(name); continue; }
            if (!target.shape.AsSpan().SequenceEqual(value.shape)) { mismatched.Add(new(name, target.shape, value.shape)); continue; }
            matched.Add((target, value));
        }
        var unexpected = source.Keys.Where(k => !targets.ContainsKey(k)).ToList();
        var report = new StateDictLoadReport(missing, unexpected, mismatched, matched.Count);
        if (strict && !report.IsExactMatch) throw new StateDictMismatchException(report);
        using (no_grad())
        {
            foreach (var (target, value) in matched) target.copy_(value);
        }
        return report;
    }

    /// <summary>The number of parameter elements (weights), trainable or not.</summary>
    public static long ParameterCount(this nn.Module module) => module.parameters().Sum(p => p.numel());

    /// <summary>The number of parameter elements that record gradients.</summary>
    public static long TrainableParameterCount(this nn.Module module) => module.parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <summary>Switches gradient recording of every parameter (false freezes the module, e.g. a pre-trained backbone).</summary>
    public static void SetRequiresGrad(this nn.Module module, bool requiresGrad)
    {
        foreach (var p in module.parameters()) p.requires_grad = requiresGrad;
    }
}
