using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.Parameters;

/// <summary>
/// Describes the parameters of a user's own module for μP-aware optimizers (μAdam, μLO). For a plain stack of
/// <c>Linear</c> layers: the first weight is the input layer, the last the output layer, the others hidden; every
/// 1-D parameter is a bias. Any parameter's role can be overridden by name.
/// </summary>
public static class ParameterRoles
{
    /// <summary>
    /// Roles for the named parameters of <paramref name="module"/>, read as a stack of linear layers in
    /// registration order. <paramref name="overrides"/> maps parameter names to roles that win over the guess.
    /// </summary>
    public static IReadOnlyList<(Parameter Parameter, ParameterSpec Spec)> ForLinearStack(
        nn.Module module, IReadOnlyDictionary<string, ParameterRole>? overrides = null)
    {
        var named = module.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        var known = named.Select(n => n.name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in overrides?.Keys ?? [])
        {
            if (!known.Contains(name))
                throw new ArgumentException($"The role override names '{name}', but the module has no trainable parameter of that name (it has {string.Join(", ", known)}).");
        }

        var matrices = named.Where(n => n.parameter.dim() >= 2).Select(n => n.name).ToList();
        if (matrices.Count == 0)
            throw new ArgumentException("The module has no weight matrices; describe its parameters with ParameterSpec directly.");
        var result = new List<(Parameter, ParameterSpec)>();
        foreach (var (name, p) in named)
        {
            ParameterRole role = p.dim() < 2 ? ParameterRole.Bias
                : name == matrices[0] ? ParameterRole.Input
                : name == matrices[^1] ? ParameterRole.Output
                : ParameterRole.Hidden;
            if (overrides is not null && overrides.TryGetValue(name, out var forced)) role = forced;
            long fanIn = p.dim() >= 2 ? p.shape.Skip(1).Aggregate(1L, (a, b) => a * b) : 1;
            result.Add((p, new ParameterSpec(name, p.shape, role, fanIn)));
        }
        return result;
    }
}
