using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace MLNet.Segmentation.Tests.Engine;

/// <summary>A call made by a method: the callee's full name (type::name(parameter types)) and its return type.</summary>
internal sealed record IlCall(string Callee, string ReturnType);

/// <summary>A method body of an assembly: its full name, declaring type, base type of that type, and the calls it makes.</summary>
internal sealed record IlMethod(string Name, string DeclaringType, string MethodName, IReadOnlyList<IlCall> Calls);

/// <summary>
/// The methods of an assembly with the calls in their IL (call, callvirt, newobj, ldftn), read with
/// System.Reflection.Metadata; and each type's base type. Names are written the same way for definitions and references,
/// so calls can be matched across assemblies.
/// </summary>
internal sealed class IlCallGraph
{
    private static readonly Dictionary<ushort, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => (ushort)o.Value);

    private IlCallGraph(IReadOnlyList<IlMethod> methods, IReadOnlyDictionary<string, string> baseTypes) =>
        (Methods, BaseTypes) = (methods, baseTypes);

    /// <summary>Every method with a body.</summary>
    public IReadOnlyList<IlMethod> Methods { get; }

    /// <summary>Type name → its base type's name.</summary>
    public IReadOnlyDictionary<string, string> BaseTypes { get; }

    /// <summary>Reads the assembly at <paramref name="path"/>.</summary>
    public static IlCallGraph Read(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var md = pe.GetMetadataReader();
        var names = new TypeNames();
        var methods = new List<IlMethod>();
        var bases = new Dictionary<string, string>();
        foreach (var typeHandle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(typeHandle);
            string typeName = names.GetTypeFromDefinition(md, typeHandle, 0);
            if (!type.BaseType.IsNil) bases[typeName] = TypeOf(md, names, type.BaseType);
            foreach (var methodHandle in type.GetMethods())
            {
                var method = md.GetMethodDefinition(methodHandle);
                if (method.RelativeVirtualAddress == 0) continue;
                var calls = CallsOf(pe.GetMethodBody(method.RelativeVirtualAddress).GetILBytes()!, md, names);
                methods.Add(new IlMethod(NameOf(md, names, methodHandle).Callee, typeName, md.GetString(method.Name), calls));
            }
        }
        return new IlCallGraph(methods, bases);
    }

    private static List<IlCall> CallsOf(byte[] il, MetadataReader md, TypeNames names)
    {
        var calls = new List<IlCall>();
        for (int i = 0; i < il.Length;)
        {
            ushort code = il[i++];
            if (code == 0xFE) code = (ushort)(0xFE00 | il[i++]);
            var op = OpCodesByValue[code];
            if (op.OperandType == OperandType.InlineMethod)
                calls.Add(NameOf(md, names, MetadataTokens.EntityHandle(BitConverter.ToInt32(il, i))));
            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
        }
        return calls;
    }

    private static IlCall NameOf(MetadataReader md, TypeNames names, EntityHandle handle)
    {
        switch (handle.Kind)
        {
            case HandleKind.MethodDefinition:
                var definition = md.GetMethodDefinition((MethodDefinitionHandle)handle);
                var defined = definition.DecodeSignature(names, null);
                return new($"{names.GetTypeFromDefinition(md, definition.GetDeclaringType(), 0)}::{md.GetString(definition.Name)}({string.Join(",", defined.ParameterTypes)})",
                    defined.ReturnType);
            case HandleKind.MemberReference:
                var reference = md.GetMemberReference((MemberReferenceHandle)handle);
                if (reference.GetKind() != MemberReferenceKind.Method) return new("field", "");
                var referenced = reference.DecodeMethodSignature(names, null);
                return new($"{TypeOf(md, names, reference.Parent)}::{md.GetString(reference.Name)}({string.Join(",", referenced.ParameterTypes)})",
                    referenced.ReturnType);
            case HandleKind.MethodSpecification:
                return NameOf(md, names, md.GetMethodSpecification((MethodSpecificationHandle)handle).Method);
            default:
                return new("unknown", "");
        }
    }

    private static string TypeOf(MetadataReader md, TypeNames names, EntityHandle handle) => handle.Kind switch
    {
        HandleKind.TypeDefinition => names.GetTypeFromDefinition(md, (TypeDefinitionHandle)handle, 0),
        HandleKind.TypeReference => names.GetTypeFromReference(md, (TypeReferenceHandle)handle, 0),
        HandleKind.TypeSpecification => StripGenericArguments(md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(names, null)),
        _ => "?",
    };

    // A method of a generic instantiation is named after its generic type, as its definition is.
    private static string StripGenericArguments(string name) => name.IndexOf('<') is int at and >= 0 ? name[..at] : name;

    private sealed class TypeNames : ISignatureTypeProvider<string, object?>
    {
        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[,]";
        public string GetByReferenceType(string elementType) => elementType + "&";
        public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";
        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => $"{genericType}<{string.Join(",", typeArguments)}>";
        public string GetGenericMethodParameter(object? genericContext, int index) => "!!" + index;
        public string GetGenericTypeParameter(object? genericContext, int index) => "!" + index;
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetPinnedType(string elementType) => elementType;
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
        public string GetSZArrayType(string elementType) => elementType + "[]";

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            var type = reader.GetTypeDefinition(handle);
            var declaring = type.GetDeclaringType();
            string name = reader.GetString(type.Name);
            return declaring.IsNil ? $"{reader.GetString(type.Namespace)}.{name}" : $"{GetTypeFromDefinition(reader, declaring, 0)}+{name}";
        }

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            var type = reader.GetTypeReference(handle);
            string name = reader.GetString(type.Name);
            return type.ResolutionScope.Kind == HandleKind.TypeReference
                ? $"{GetTypeFromReference(reader, (TypeReferenceHandle)type.ResolutionScope, 0)}+{name}"
                : $"{reader.GetString(type.Namespace)}.{name}";
        }

        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
    }
}
