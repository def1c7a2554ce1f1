using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using LearnedOpt.LearnedOptimizers;
using LearnedOpt.MetaTrain.MetaTraining;

namespace LearnedOpt.Tests.Build;

/// <summary>
/// The tests run the code that ships: every assembly of the repository is built with optimisation on (in Debug too),
/// and the test host's JIT optimises from a method's first call (TieredCompilation off in its runtimeconfig), never
/// minimal optimisation (docs/torchsharp-scalars.md).
/// </summary>
public class JitSettingsTests
{
    [Fact]
    public void A_local_is_collectable_after_its_last_use_as_in_optimised_code()
    {
        // Unoptimised code (minimal JIT, tier 0, or an assembly built without optimisation) keeps every local alive to
        // the end of its method, which hides the early collections that killed native calls (a Scalar freed mid-call).
        Assert.False(IsAliveAfterItsLastUse());
    }

    [Theory]
    [InlineData(typeof(LearnedUpdateRule))]      // LearnedOpt.Core
    [InlineData(typeof(LearnedOpt.Tasks.Data.ImageClassificationData))] // LearnedOpt.Tasks
    [InlineData(typeof(MetaTrainer))]            // LearnedOpt.MetaTrain
    [InlineData(typeof(LearnedOpt.Cli.CliApp))]  // learnedopt (LearnedOpt.Cli)
    [InlineData(typeof(JitSettingsTests))]       // the tests themselves
    public void Every_assembly_is_built_for_the_optimising_JIT(Type type)
    {
        var debuggable = type.Assembly.GetCustomAttribute<DebuggableAttribute>();
        Assert.False(debuggable?.IsJITOptimizerDisabled ?? false, $"{type.Assembly.GetName().Name} is built with optimisation off");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool IsAliveAfterItsLastUse()
    {
        var local = new object();
        var weak = new WeakReference(local);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return weak.IsAlive;
    }
}
