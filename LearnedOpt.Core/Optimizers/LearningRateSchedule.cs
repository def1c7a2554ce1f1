using TorchSharp;

namespace LearnedOpt.Optimizers;

/// <summary>
/// Warmup followed by constant, cosine or linear decay, as a multiplier on each parameter group's
/// base learning rate. Works with any TorchSharp optimizer (through <c>LambdaLR</c>) and therefore keeps
/// μAdam's per-tensor multipliers intact.
/// </summary>
/// <param name="Kind">Shape after warmup.</param>
/// <param name="TotalSteps">Number of optimizer steps in the run.</param>
/// <param name="WarmupSteps">Steps of linear warmup from 0 (the first step uses 1/WarmupSteps).</param>
/// <param name="FinalFraction">Multiplier reached at the last step for decaying kinds.</param>
public sealed record LearningRateSchedule(ScheduleKind Kind, int TotalSteps, int WarmupSteps = 0, double FinalFraction = 0.0)
{
    /// <summary>A constant schedule without warmup.</summary>
    public static LearningRateSchedule Constant(int totalSteps) => new(ScheduleKind.Constant, totalSteps);

    /// <summary>Throws <see cref="ArgumentException"/> with a clear message if the schedule is unusable.</summary>
    public void Validate()
    {
        if (TotalSteps <= 0) throw new ArgumentException($"The schedule needs a positive number of steps, got {TotalSteps}.");
        if (WarmupSteps < 0 || WarmupSteps > TotalSteps)
            throw new ArgumentException($"Warmup of {WarmupSteps} steps must be between 0 and the {TotalSteps} total steps.");
        if (FinalFraction is < 0 or > 1 || double.IsNaN(FinalFraction))
            throw new ArgumentException($"The final learning-rate fraction must be in [0, 1], got {FinalFraction}.");
    }

    /// <summary>Multiplier for the optimizer step with zero-based index <paramref name="step"/>.</summary>
    public double Factor(int step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps) return (step + 1.0) / WarmupSteps;
        int decaySteps = TotalSteps - WarmupSteps;
        if (Kind == ScheduleKind.Constant || decaySteps <= 1) return 1.0;
        double progress = Math.Clamp((step - WarmupSteps) / (double)(decaySteps - 1), 0.0, 1.0);
        double shape = Kind == ScheduleKind.Cosine ? 0.5 * (1 + Math.Cos(Math.PI * progress)) : 1 - progress;
        return FinalFraction + (1 - FinalFraction) * shape;
    }

    /// <summary>Attaches the schedule to an optimizer; call the scheduler's <c>step()</c> after each optimizer step.</summary>
    public torch.optim.lr_scheduler.LRScheduler Attach(torch.optim.Optimizer optimizer)
    {
        Validate();
        return torch.optim.lr_scheduler.LambdaLR(optimizer, Factor);
    }
}
