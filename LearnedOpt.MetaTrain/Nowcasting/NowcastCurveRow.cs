namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>One held-out evaluation of one run (<c>curves.csv</c>), on the shared every-N-steps grid.</summary>
/// <param name="Task">The task label.</param>
/// <param name="Seed">Run seed.</param>
/// <param name="Optimizer"><c>adamw</c> or a nowcaster's name.</param>
/// <param name="Step">Updates done.</param>
/// <param name="EvalLoss">Held-out loss.</param>
public sealed record NowcastCurveRow(string Task, long Seed, string Optimizer, int Step, double EvalLoss);
