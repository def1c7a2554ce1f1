namespace LearnedOpt.MetaTrain.MetaTraining;

/// <summary>One row of the meta-training log.</summary>
public sealed record MetaTrainStep(int OuterStep, double MetaLoss, double GradNorm, int Discarded, int Particles, long InnerSteps, double LearningRate, double WallMs);

/// <summary>One evaluation of θ against AdamW on a held-out task seed.</summary>
internal sealed record MetaEvalRow(int OuterStep, int Seed, string Optimizer, double MeanTrainLoss, double FinalTrainLoss, double EvalLoss);
