using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LearnedOpt.LearnedOptimizers.Fused;

/// <summary>
/// Accumulators stored as [elements, 3] (three decays per element) to and from one vector per decay, for 8
/// elements (24 floats = 3 vectors). Each component's lanes sit in disjoint lanes of the three loads, so two
/// blends and one lane permutation gather it; storing runs the same steps backwards.
/// </summary>
internal static unsafe class Interleaved3
{
    // Component j of element e is float 3e + j: lanes 0,3,6 / 1,4,7 / 2,5 of the first load, and so on.
    private const byte Lanes036 = 0b0100_1001, Lanes147 = 0b1001_0010, Lanes25 = 0b0010_0100;
    private static readonly Vector256<int> Gather0 = Vector256.Create(0, 3, 6, 1, 4, 7, 2, 5);
    private static readonly Vector256<int> Gather1 = Vector256.Create(1, 4, 7, 2, 5, 0, 3, 6);
    private static readonly Vector256<int> Gather2 = Vector256.Create(2, 5, 0, 3, 6, 1, 4, 7);
    private static readonly Vector256<int> Scatter0 = Vector256.Create(0, 3, 6, 1, 4, 7, 2, 5);
    private static readonly Vector256<int> Scatter1 = Vector256.Create(5, 0, 3, 6, 1, 4, 7, 2);
    private static readonly Vector256<int> Scatter2 = Vector256.Create(2, 5, 0, 3, 6, 1, 4, 7);

    /// <summary>The three components of the 8 elements at <paramref name="source"/> (24 floats).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<float>, Vector256<float>, Vector256<float>) Load(float* source)
    {
        var a = Avx.LoadVector256(source);
        var b = Avx.LoadVector256(source + 8);
        var c = Avx.LoadVector256(source + 16);
        var x0 = Avx.Blend(Avx.Blend(a, b, Lanes147), c, Lanes25);
        var x1 = Avx.Blend(Avx.Blend(a, b, Lanes25), c, Lanes036);
        var x2 = Avx.Blend(Avx.Blend(a, b, Lanes036), c, Lanes147);
        return (Avx2.PermuteVar8x32(x0, Gather0), Avx2.PermuteVar8x32(x1, Gather1), Avx2.PermuteVar8x32(x2, Gather2));
    }

    /// <summary>Stores three component vectors of 8 elements as [8, 3] at <paramref name="target"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* target, Vector256<float> v0, Vector256<float> v1, Vector256<float> v2)
    {
        var y0 = Avx2.PermuteVar8x32(v0, Scatter0);
        var y1 = Avx2.PermuteVar8x32(v1, Scatter1);
        var y2 = Avx2.PermuteVar8x32(v2, Scatter2);
        Avx.Store(target, Avx.Blend(Avx.Blend(y0, y1, Lanes147), y2, Lanes25));
        Avx.Store(target + 8, Avx.Blend(Avx.Blend(y2, y0, Lanes147), y1, Lanes25));
        Avx.Store(target + 16, Avx.Blend(Avx.Blend(y1, y0, Lanes25), y2, Lanes147));
    }
}
