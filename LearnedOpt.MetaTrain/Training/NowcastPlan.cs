using LearnedOpt.Nowcasting;

namespace LearnedOpt.MetaTrain.Training;

/// <summary>Nowcasting for one training run: the nowcaster, its schedule, and whether each jump is checked on probe batches.</summary>
/// <param name="Nowcaster">Predicts the parameters' future; owned by the caller.</param>
/// <param name="Settings">Period, horizons, warm-up and the jump tolerance, validated against the nowcaster.</param>
/// <param name="CheckJumps">Judge every jump on <see cref="Nowcasting.NowcastProbe"/> batches and shorten or skip one that raises the loss.</param>
public sealed record NowcastPlan(INowcaster Nowcaster, NowcastSettings Settings, bool CheckJumps);
