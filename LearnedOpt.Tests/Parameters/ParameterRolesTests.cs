using LearnedOpt.Parameters;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Parameters;

public class ParameterRolesTests
{
    private static nn.Module<Tensor, Tensor> Stack() =>
        nn.Sequential(("fc1", nn.Linear(8, 32)), ("a", nn.ReLU()), ("fc2", nn.Linear(32, 32)), ("b", nn.ReLU()), ("fc3", nn.Linear(32, 10)));

    [Fact]
    public void A_linear_stack_gets_input_hidden_output_and_bias_roles_with_fan_in()
    {
        var roles = ParameterRoles.ForLinearStack(Stack()).Select(r => (r.Spec.Name, r.Spec.Role, r.Spec.FanIn)).ToArray();
        Assert.Equal(new[]
        {
            ("fc1.weight", ParameterRole.Input, 8L), ("fc1.bias", ParameterRole.Bias, 1L),
            ("fc2.weight", ParameterRole.Hidden, 32L), ("fc2.bias", ParameterRole.Bias, 1L),
            ("fc3.weight", ParameterRole.Output, 32L), ("fc3.bias", ParameterRole.Bias, 1L),
        }, roles);
    }

    [Fact]
    public void Roles_can_be_overridden_by_name_and_unknown_names_are_refused()
    {
        var roles = ParameterRoles.ForLinearStack(Stack(), new Dictionary<string, ParameterRole> { ["fc3.weight"] = ParameterRole.Hidden });
        Assert.Equal(ParameterRole.Hidden, roles.Single(r => r.Spec.Name == "fc3.weight").Spec.Role);
        var e = Assert.Throws<ArgumentException>(() => ParameterRoles.ForLinearStack(Stack(), new Dictionary<string, ParameterRole> { ["fc9.weight"] = ParameterRole.Hidden }));
        Assert.Contains("fc9.weight", e.Message);
    }
}
