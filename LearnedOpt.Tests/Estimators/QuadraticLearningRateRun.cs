using LearnedOpt.MetaNets;
using LearnedOpt.MetaTrain.Estimators;
using LearnedOpt.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.Estimators;

/// <summary>
/// A meta-objective with a known gradient: gradient descent x ← x − e^θ·a·x on f(x) = ½·a·x², θ = log learning rate.
/// The loss before step t is ½·a·x₀²·r^{2t} with r = 1 − e^θ·a, so the episode-mean loss and its θ-derivative are
/// closed-form (<see cref="MeanLoss"/>, <see cref="MeanLossGradient"/>). Computed in float64.
/// </summary>
internal sealed class QuadraticLearningRateRun(double curvature, double start, int horizon, bool poisoned = false) : IDifferentiableInnerRun
{
    public const string Name = "log_lr";
    private readonly double _start = start;
    private double _x = start;
    private Tensor? _xTensor;
    private int _t;

    public static MetaParameters Theta(double logLr) => new([(Name, tensor(new[] { (float)logLr }))]);

    public static double MeanLoss(double logLr, double a, double x0, int horizon)
    {
        double r = 1 - Math.Exp(logLr) * a;
        return Enumerable.Range(0, horizon).Average(t => 0.5 * a * x0 * x0 * Math.Pow(r, 2 * t));
    }

    public static double MeanLossGradient(double logLr, double a, double x0, int horizon)
    {
        double lr = Math.Exp(logLr), r = 1 - lr * a;
        return Enumerable.Range(0, horizon).Average(t => t == 0 ? 0 : 0.5 * a * x0 * x0 * 2 * t * Math.Pow(r, 2 * t - 1) * (-a * lr));
    }

    public InnerStep Step(MetaParameters theta)
    {
        double lr = Math.Exp(theta[Name].to(ScalarType.Float64).item<double>());
        double loss = poisoned ? double.NaN : 0.5 * curvature * _x * _x;
        _x -= lr * curvature * _x;
        return new InnerStep(loss, Advance());
    }

    public (Tensor Loss, bool EpisodeEnded) StepWithGraph(MetaParameters theta)
    {
        _xTensor ??= tensor(_x, dtype: ScalarType.Float64);
        var lr = theta[Name].to(ScalarType.Float64).exp().squeeze();
        var loss = _xTensor.Times(0.5 * curvature) * _xTensor;
        _xTensor = _xTensor - lr.Times(curvature) * _xTensor;
        bool ended = Advance();
        if (ended) _xTensor = null;
        return (loss, ended);
    }

    public void Export(string prefix, EstimatorState into)
    {
        into.Counters[prefix + "t"] = _t;
        into.Tensors[prefix + "x"] = tensor(_xTensor?.AsDouble() ?? _x);
    }

    public void Import(string prefix, EstimatorState from)
    {
        _t = (int)from.Counter(prefix + "t");
        _x = from.Tensor(prefix + "x").AsDouble();
        _xTensor = null;
    }

    public void CutGraph()
    {
        if (_xTensor is not null) _xTensor = _xTensor.detach().DetachFromDisposeScope();
    }

    private bool Advance()
    {
        if (++_t < horizon) return false;
        _t = 0;
        _x = _start;
        return true;
    }

    public void Dispose() => _xTensor?.Dispose();
}
