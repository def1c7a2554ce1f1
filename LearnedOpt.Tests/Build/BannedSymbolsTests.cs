using System.Reflection;
using System.Reflection.Emit;
using TorchSharp;

namespace LearnedOpt.Tests.Build;

/// <summary>
/// build/BannedSymbols.txt keeps up with TorchSharp (docs/torchsharp-scalars.md): every public TorchSharp member whose
/// own IL converts a number to a Scalar — a temporary that libtorch may read after it was freed — is banned, and every
/// banned member exists, so a TorchSharp upgrade that adds or renames one fails here instead of in a long run.
/// </summary>
public class BannedSymbolsTests
{
    private static readonly Assembly TorchSharpAssembly = typeof(torch).Assembly;

    [Fact]
    public void Every_public_TorchSharp_member_that_makes_a_temporary_Scalar_is_banned()
    {
        var banned = BannedIds();
        var missing = ScalarMakingMembers().Where(m => !IsOutOfScope(m)).Select(DocumentationId).Where(id => !banned.Contains(id)).Order().ToList();
        Assert.True(missing.Count == 0, "not in build/BannedSymbols.txt:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void Every_banned_member_exists_in_this_TorchSharp()
    {
        var existing = TorchSharpAssembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => TryDocumentationId(m)).OfType<string>().ToHashSet();
        var stale = BannedIds().Where(id => !existing.Contains(id)).Order().ToList();
        Assert.True(stale.Count == 0, "banned but not found (renamed?):\n" + string.Join("\n", stale));
    }

    [Fact]
    public void The_scan_finds_the_members_this_repository_was_bitten_by()
    {
        var found = ScalarMakingMembers().Select(DocumentationId).ToHashSet();
        Assert.Contains("M:TorchSharp.torch.Tensor.square", found); // pow(2)
        Assert.Contains("M:TorchSharp.torch.Tensor.add(TorchSharp.torch.Tensor)", found); // alpha 1
        Assert.Contains("M:TorchSharp.torch.Tensor.op_Multiply(TorchSharp.torch.Tensor,System.Double)", found);
        Assert.DoesNotContain("M:TorchSharp.torch.Tensor.op_Multiply(TorchSharp.torch.Tensor,TorchSharp.torch.Tensor)", found);
        Assert.DoesNotContain("M:TorchSharp.torch.Tensor.op_Subtraction(TorchSharp.torch.Tensor,TorchSharp.torch.Tensor)", found);
    }

    // Distributions, tensorboard summaries and histograms are not used here; they are left out of the list on purpose.
    private static bool IsOutOfScope(MethodInfo method)
    {
        var type = method.DeclaringType!;
        string name = type.FullName ?? type.Name;
        return name.StartsWith("TorchSharp.torch+distributions", StringComparison.Ordinal)
            || typeof(torch.distributions.Distribution).IsAssignableFrom(type)
            || name.StartsWith("TorchSharp.torch+utils+tensorboard", StringComparison.Ordinal)
            || name.StartsWith("TorchSharp.Utils.", StringComparison.Ordinal)
            || name.StartsWith("TorchSharp.Modules.", StringComparison.Ordinal) && typeof(torch.optim.Optimizer).IsAssignableFrom(type) // their factories are banned
            || name == "TorchSharp.Modules.Rprop+State" || name == "TorchSharp.Modules.Adagrad+State";
    }

    private static HashSet<string> BannedIds() =>
        File.ReadLines(Path.Combine(RepositoryRoot.Path, "build", "BannedSymbols.txt"))
            .Where(l => l.StartsWith("M:", StringComparison.Ordinal))
            .Select(l => l.Split(';', 2)[0].Trim()).ToHashSet();

    /// <summary>Public TorchSharp methods whose IL calls a conversion to Scalar (an implicit operator or ToScalar).</summary>
    private static IEnumerable<MethodInfo> ScalarMakingMembers()
    {
        foreach (var type in TorchSharpAssembly.GetTypes())
        {
            if (type == typeof(Scalar) || type.Name == "ScalarExtensionMethods") continue;
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                if (!IsVisible(type) || method.Name == "ToScalar") continue;
                if (Calls(method).Any(IsScalarConversion)) yield return method;
            }
        }
    }

    private static bool IsVisible(Type type) => type.IsPublic || type.IsNestedPublic && IsVisible(type.DeclaringType!);

    private static bool IsScalarConversion(MethodBase callee) =>
        callee.Name == "op_Implicit" && callee.DeclaringType == typeof(Scalar) || callee.Name == "ToScalar" && callee is MethodInfo { ReturnType: var r } && r == typeof(Scalar);

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    // The methods called by call / callvirt / newobj in the method's IL.
    private static IEnumerable<MethodBase> Calls(MethodInfo method)
    {
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is FileNotFoundException or BadImageFormatException) { yield break; }
        if (il is null) yield break;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? unchecked((short)(0xFE00 | il[i + 1])) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            if (op.OperandType == OperandType.InlineSwitch)
            {
                i += 4 + 4 * BitConverter.ToInt32(il, i);
                continue;
            }
            if (op.OperandType == OperandType.InlineMethod)
            {
                MethodBase? callee = null;
                try { callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, i), method.DeclaringType?.GetGenericArguments(), method.IsGenericMethod ? method.GetGenericArguments() : null); }
                catch (Exception e) when (e is ArgumentException or FileNotFoundException or TypeLoadException) { }
                if (callee is not null) yield return callee;
            }
            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                _ => 4,
            };
        }
    }

    private static string DocumentationId(MethodInfo method) => TryDocumentationId(method) ?? throw new InvalidOperationException($"no id for {method}");

    // The C# documentation-comment ID (what BannedApiAnalyzers matches), e.g. M:TorchSharp.torch.Tensor.add(TorchSharp.torch.Tensor).
    private static string? TryDocumentationId(MethodInfo method)
    {
        ParameterInfo[] parameters;
        try { parameters = method.GetParameters(); }
        catch (FileNotFoundException) { return null; }
        string id = $"M:{TypeId(method.DeclaringType!)}.{method.Name}";
        if (parameters.Length > 0) id += "(" + string.Join(",", parameters.Select(p => TypeId(p.ParameterType))) + ")";
        if (method.Name is "op_Implicit" or "op_Explicit") id += "~" + TypeId(method.ReturnType);
        return id;
    }

    private static string TypeId(Type type)
    {
        if (type.IsByRef) return TypeId(type.GetElementType()!) + "@";
        if (type.IsArray) return TypeId(type.GetElementType()!) + "[]";
        if (type.IsGenericParameter) return (type.DeclaringMethod is null ? "`" : "``") + type.GenericParameterPosition;
        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            string name = (definition.DeclaringType is { } outer ? TypeId(outer) : definition.Namespace) + "." + definition.Name.Split('`')[0];
            return name + "{" + string.Join(",", type.GetGenericArguments().Select(TypeId)) + "}";
        }
        return type.DeclaringType is { } declaring ? TypeId(declaring) + "." + type.Name : type.Namespace + "." + type.Name;
    }
}
