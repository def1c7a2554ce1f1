namespace LearnedOpt.MetaTrain.Evaluation;

/// <summary>One task configuration of an evaluation grid; every optimizer is run on it with the same seeds.</summary>
/// <param name="Task">Registered task name, e.g. <c>fmnist8-mlp</c>.</param>
/// <param name="Width">Hidden width.</param>
/// <param name="Depth">Hidden layers.</param>
/// <param name="Horizon">Training steps.</param>
/// <param name="BatchSize">Training batch size.</param>
public sealed record EvalCell(string Task, int Width, int Depth, int Horizon, int BatchSize)
{
    /// <summary>The data set part of the task name (<c>fmnist8-mlp</c> → <c>fmnist8</c>).</summary>
    public string Dataset => Task.EndsWith("-mlp", StringComparison.Ordinal) ? Task[..^4] : Task;

    /// <summary>A file-name-safe identifier.</summary>
    public string Id => $"{Task}-w{Width}-d{Depth}-h{Horizon}-b{BatchSize}";

    /// <summary>The cell as a table label: task, width, depth and horizon.</summary>
    public override string ToString() => $"{Task} w{Width} d{Depth} h{Horizon}";
}
