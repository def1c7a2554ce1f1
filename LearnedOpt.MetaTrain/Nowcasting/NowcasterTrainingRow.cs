namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>One row of <c>training.csv</c>: the mean L1 (in scaled units) of the update's windows, and of the validation windows when evaluated.</summary>
/// <param name="Step">Updates done.</param>
/// <param name="TrainL1">Mean L1 over this update's windows.</param>
/// <param name="ValidationL1">Mean L1 over the held-out windows (empty when not evaluated at this step).</param>
/// <param name="LearningRate">The learning rate of this update.</param>
public sealed record NowcasterTrainingRow(int Step, double TrainL1, double? ValidationL1, double LearningRate);
