using LearnedOpt.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Optimizers;

/// <summary>
/// The Adam moment update and step shared by <see cref="ScalarSafe.Adam"/> and <see cref="ScalarSafe.AdamW"/>, in the
/// order and with the operations of TorchSharp's own Adam and AdamW, so their numbers are identical; every Scalar is
/// held until its native call returns (<see cref="Scalars"/>).
/// </summary>
internal static class AdamStep
{
    /// <summary>Updates the moments in place and applies the bias-corrected step to <paramref name="param"/>.</summary>
    public static void Apply(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, long step, double lr, double beta1, double beta2, double eps)
    {
        double biasCorrection1 = 1 - Math.Pow(beta1, step);
        double biasCorrection2 = 1 - Math.Pow(beta2, step);
        expAvg.TimesInPlace(beta1).PlusScaledInPlace(grad, 1 - beta1);
        using (var oneMinusBeta2 = (1 - beta2).ToScalar())
            expAvgSq.TimesInPlace(beta2).addcmul_(grad, grad, oneMinusBeta2);
        using var root = expAvgSq.sqrt();
        using var denominator = root.DividedBy(Math.Sqrt(biasCorrection2));
        denominator.PlusInPlace(eps);
        using var stepSize = (-(lr / biasCorrection1)).ToScalar();
        param.addcdiv_(expAvg, denominator, stepSize);
    }

    /// <summary>Refuses options this implementation does not carry (AMSGrad, maximisation).</summary>
    public static void RefuseUnsupported(bool? amsgrad, bool? maximize, string optimizer)
    {
        if (amsgrad == true || maximize == true)
            throw new NotSupportedException($"{optimizer} supports neither amsgrad nor maximize; these options came from a loaded state dict.");
    }
}
