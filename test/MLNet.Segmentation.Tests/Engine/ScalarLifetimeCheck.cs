namespace MLNet.Segmentation.Tests.Engine;

/// <summary>
/// Finds, in an assembly's IL, every place that can hand libtorch a Scalar nothing keeps alive (see
/// <c>MLNet.Segmentation.Engine.OwnedScalars</c>): an implicit or explicit number-to-Scalar conversion in a method that
/// disposes no Scalar; a call to a TorchSharp method that makes such a temporary itself (found the same way in
/// TorchSharp.dll, closed over TorchSharp's own calls); and a TorchSharp module or optimizer whose <c>forward</c> or
/// <c>step</c> does, unless the type making it derives from it and replaces that method.
/// </summary>
internal sealed class ScalarLifetimeCheck
{
    private static readonly string[] VirtualsChecked = ["forward", "step"];
    private readonly HashSet<string> _unsafeTorchSharpMethods;
    private readonly Dictionary<string, HashSet<string>> _unsafeTypes = [];

    public ScalarLifetimeCheck(IlCallGraph torchSharp)
    {
        _unsafeTorchSharpMethods = [.. torchSharp.Methods.Where(m => LeavesScalarToCollector(m)).Select(m => m.Name)];
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var method in torchSharp.Methods)
                if (!_unsafeTorchSharpMethods.Contains(method.Name) && method.Calls.Any(c => _unsafeTorchSharpMethods.Contains(c.Callee)))
                    grew |= _unsafeTorchSharpMethods.Add(method.Name);
        }
        var declared = torchSharp.Methods.GroupBy(m => m.DeclaringType).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var type in declared.Keys)
            foreach (string virtualName in VirtualsChecked)
                for (string? t = type; t is not null && t.StartsWith("TorchSharp.", StringComparison.Ordinal); t = torchSharp.BaseTypes.GetValueOrDefault(t))
                {
                    var own = declared.GetValueOrDefault(t)?.Where(m => m.MethodName == virtualName).ToList();
                    if (own is not { Count: > 0 }) continue;
                    if (own.Any(m => _unsafeTorchSharpMethods.Contains(m.Name)))
                        (_unsafeTypes.TryGetValue(type, out var names) ? names : _unsafeTypes[type] = []).Add(virtualName);
                    break;
                }
    }

    /// <summary>Whether TorchSharp's <paramref name="method"/> (full name) can pass a temporary Scalar.</summary>
    public bool IsUnsafe(string method) => _unsafeTorchSharpMethods.Contains(method);

    /// <summary>The virtual methods (forward, step) of TorchSharp's <paramref name="type"/> that pass temporary Scalars.</summary>
    public IReadOnlySet<string> UnsafeVirtuals(string type) => _unsafeTypes.GetValueOrDefault(type) ?? [];

    /// <summary>One line per problem in <paramref name="assembly"/>; methods of <paramref name="exemptTypes"/> may convert freely.</summary>
    public IReadOnlyList<string> Problems(IlCallGraph assembly, params string[] exemptTypes)
    {
        var problems = new List<string>();
        var declaredNames = assembly.Methods.GroupBy(m => m.DeclaringType).ToDictionary(g => g.Key, g => g.Select(m => m.MethodName).ToHashSet());
        foreach (var method in assembly.Methods)
        {
            if (!exemptTypes.Contains(method.DeclaringType) && LeavesScalarToCollector(method))
                problems.Add($"{method.Name}: converts a number to a Scalar it does not dispose");
            foreach (var call in method.Calls.DistinctBy(c => c.Callee))
            {
                if (_unsafeTorchSharpMethods.Contains(call.Callee))
                    problems.Add($"{method.Name}: calls {call.Callee}, which passes a temporary Scalar");
                string made = call.Callee.Contains("::.ctor(", StringComparison.Ordinal)
                    ? call.Callee[..call.Callee.IndexOf("::", StringComparison.Ordinal)]
                    : call.ReturnType;
                var unsafeVirtuals = UnsafeVirtuals(made);
                if (unsafeVirtuals.Count == 0) continue;
                bool replaced = DerivesFrom(assembly, method.DeclaringType, made)
                    && unsafeVirtuals.All(v => declaredNames.GetValueOrDefault(method.DeclaringType)?.Contains(v) == true);
                if (!replaced)
                    problems.Add($"{method.Name}: makes a {made}, whose {string.Join("/", unsafeVirtuals)} passes temporary Scalars");
            }
        }
        return problems;
    }

    private static bool DerivesFrom(IlCallGraph assembly, string type, string ancestor)
    {
        for (string? t = assembly.BaseTypes.GetValueOrDefault(type); t is not null; t = assembly.BaseTypes.GetValueOrDefault(t))
            if (t == ancestor) return true;
        return false;
    }

    private static bool LeavesScalarToCollector(IlMethod method) =>
        method.Calls.Any(c => c.Callee.StartsWith("TorchSharp.Scalar::op_Implicit(", StringComparison.Ordinal)
                              || c.Callee.StartsWith("TorchSharp.ScalarExtensionMethods::ToScalar(", StringComparison.Ordinal))
        && !method.Calls.Any(c => c.Callee is "TorchSharp.Scalar::Dispose()" or "System.IDisposable::Dispose()");
}
