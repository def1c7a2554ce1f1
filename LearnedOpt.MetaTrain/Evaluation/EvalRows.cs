namespace LearnedOpt.MetaTrain.Evaluation;

/// <summary>How an optimizer's runs in an evaluation relate to its learning rate.</summary>
internal static class EvalRunKind
{
    /// <summary>A learned optimizer, run as shipped (learning-rate multiplier 1).</summary>
    public const string Learned = "learned";

    /// <summary>A baseline at the learning rate its tuning picked (per cell, or at the base cell for μAdam).</summary>
    public const string Tuned = "tuned";

    /// <summary>AdamW at one rate of the grid on the reported seeds: the curves whose lower envelope defines speedup.</summary>
    public const string Grid = "grid";
}

/// <summary>One logged step of one evaluation run: a row of the long-format <c>steps.csv</c>.</summary>
/// <param name="Optimizer">Optimizer label, e.g. <c>adamw</c>, <c>muadam</c>, <c>sgdm</c> or a learned optimizer's name.</param>
/// <param name="Kind">One of <see cref="EvalRunKind"/>.</param>
/// <param name="Lr">Learning rate of a baseline; empty for learned optimizers.</param>
/// <param name="Task">Registered task name, e.g. <c>fmnist8-mlp</c>.</param>
/// <param name="Dataset">The task's data set, e.g. <c>fmnist8</c>.</param>
/// <param name="Width">Hidden width.</param>
/// <param name="Depth">Hidden layers.</param>
/// <param name="Horizon">Training steps of the run.</param>
/// <param name="Seed">Run seed (initialisation and batches).</param>
/// <param name="Step">Updates applied before this row's measurements.</param>
/// <param name="TrainLoss">Training-batch loss before this step's update; empty on the final row.</param>
/// <param name="EvalLoss">Held-out loss on evaluation steps.</param>
/// <param name="EvalAccuracy">Held-out accuracy on evaluation steps.</param>
/// <param name="WallMs">Milliseconds since the run started.</param>
public sealed record EvalStepRow(
    string Optimizer, string Kind, double? Lr, string Task, string Dataset, int Width, int Depth, int Horizon, long Seed,
    int Step, double? TrainLoss, double? EvalLoss, double? EvalAccuracy, double WallMs);

/// <summary>
/// One optimizer on one evaluation cell, over the reported seeds: a row of <c>summary.csv</c>. Means and standard
/// deviations are across seeds. The base columns say which cell the sweep axes vary from, so a plot can pick out
/// the width sweep (depth, horizon and task at base) from this file alone.
/// </summary>
/// <param name="Optimizer">Optimizer label.</param>
/// <param name="Kind"><see cref="EvalRunKind.Learned"/> or <see cref="EvalRunKind.Tuned"/>.</param>
/// <param name="Task">Registered task name.</param>
/// <param name="Dataset">The task's data set.</param>
/// <param name="Width">Hidden width.</param>
/// <param name="Depth">Hidden layers.</param>
/// <param name="Horizon">Training steps.</param>
/// <param name="BaseTask">Task of the base cell.</param>
/// <param name="BaseWidth">Width of the base cell (the meta-training width).</param>
/// <param name="BaseDepth">Depth of the base cell.</param>
/// <param name="BaseHorizon">Horizon of the base cell.</param>
/// <param name="Lr">Picked learning rate (baselines).</param>
/// <param name="LrRunnerUp">Second-best rate of the tuning grid (baselines tuned on this cell).</param>
/// <param name="LrGrid">The rates tried, separated by spaces.</param>
/// <param name="Seeds">Reported seeds.</param>
/// <param name="Diverged">Seeds whose loss became non-finite (their losses count as the initial loss).</param>
/// <param name="InitialLoss">Mean training loss at step 0.</param>
/// <param name="FinalTrainLossMean">Mean over seeds of the final training loss (mean of the last 5 % of steps).</param>
/// <param name="FinalTrainLossStd">Its standard deviation over seeds.</param>
/// <param name="MeanTrainLossMean">Mean over seeds of the training loss averaged over all steps.</param>
/// <param name="MeanTrainLossStd">Its standard deviation.</param>
/// <param name="EvalLossMean">Held-out loss after the last step.</param>
/// <param name="EvalLossStd">Its standard deviation.</param>
/// <param name="EvalAccuracyMean">Held-out accuracy after the last step.</param>
/// <param name="EvalAccuracyStd">Its standard deviation.</param>
/// <param name="StepsToAdamWMean">Mean steps to reach the tuned AdamW's final loss, over the seeds that reached it.</param>
/// <param name="ReachedAdamW">Seeds that reached it within the horizon.</param>
/// <param name="SpeedupMean">
/// Speedup over Adam: steps the lower envelope of the AdamW grid curves needs to reach this run's final loss, divided
/// by the horizon. Seeds that end below the envelope's best are counted at the horizon (a lower bound).
/// </param>
/// <param name="SpeedupStd">Its standard deviation.</param>
/// <param name="SpeedupCensored">Seeds whose speedup is only a lower bound (the AdamW envelope never got that low).</param>
public sealed record EvalSummaryRow(
    string Optimizer, string Kind, string Task, string Dataset, int Width, int Depth, int Horizon,
    string BaseTask, int BaseWidth, int BaseDepth, int BaseHorizon,
    double? Lr, double? LrRunnerUp, string LrGrid, int Seeds, int Diverged, double InitialLoss,
    double FinalTrainLossMean, double FinalTrainLossStd, double MeanTrainLossMean, double MeanTrainLossStd,
    double EvalLossMean, double EvalLossStd, double EvalAccuracyMean, double EvalAccuracyStd,
    double? StepsToAdamWMean, int ReachedAdamW, double SpeedupMean, double SpeedupStd, int SpeedupCensored);

/// <summary>One tuning run (held-out tuning seeds, never the reported ones): a row of <c>tuning.csv</c>.</summary>
/// <param name="Optimizer">Baseline label.</param>
/// <param name="Task">Registered task name.</param>
/// <param name="Width">Hidden width.</param>
/// <param name="Depth">Hidden layers.</param>
/// <param name="Horizon">Training steps.</param>
/// <param name="Lr">Learning rate tried.</param>
/// <param name="Seed">Tuning seed.</param>
/// <param name="FinalTrainLoss">Final training loss (mean of the last 5 % of steps; the initial loss if diverged).</param>
/// <param name="Diverged">Whether the loss became non-finite.</param>
public sealed record EvalTuningRow(string Optimizer, string Task, int Width, int Depth, int Horizon, double Lr, long Seed, double FinalTrainLoss, bool Diverged);
