namespace LearnedOpt.MetaTrain.LocalSgd;

/// <summary>One baseline at one outer learning rate of the grid, over the tuning seeds: a row of <c>tuning.csv</c>.</summary>
/// <param name="Contender">Baseline name: fedavg, slowmo or diloco.</param>
/// <param name="OuterLr">Outer learning rate tried.</param>
/// <param name="MeanFinalTrainLoss">Mean over tuning seeds of the final train loss; +∞ when any tuning seed diverged.</param>
/// <param name="DivergedSeeds">Tuning seeds whose loss became non-finite.</param>
/// <param name="Picked">Whether this rate was picked for the reported runs.</param>
public sealed record LocalSgdTuningRow(string Contender, double OuterLr, double MeanFinalTrainLoss, int DivergedSeeds, bool Picked);
