using System.Diagnostics;
using LearnedOpt.LocalSgd;
using LearnedOpt.MetaTrain.Training;
using LearnedOpt.Optimizers;
using LearnedOpt.Randomness;
using LearnedOpt.Tasks.Tasks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LearnedOpt.MetaTrain.LocalSgd;

/// <summary>
/// Local SGD on one machine: K workers, each with its own copy of the parameters, its own inner optimizer (whose state
/// persists across rounds, as in DiLoCo) and its own batch stream (IID shards of the training split). Every round the
/// workers start from the global parameters, take H steps, and their deltas go (optionally compressed) to the outer
/// optimizer. Workers run in parallel, one libtorch thread each; deltas are combined in worker order, so results do
/// not depend on thread timing.
/// </summary>
public sealed class LocalSgdSimulator : IDisposable
{
    private readonly ITrainingTask _task;
    private readonly LocalSgdSettings _settings;
    private readonly int _jobs;
    private readonly LocalSgdWorker[] _workers;
    private readonly ErrorFeedbackCompressor[]? _compressors;

    /// <summary>
    /// Sets up <c>settings.Workers</c> workers on <paramref name="task"/>, each starting from the task's initial
    /// parameters, with deltas optionally compressed with error feedback, stepped on up to <paramref name="jobs"/> threads.
    /// Messages about the settings or <paramref name="jobs"/> call them as <paramref name="names"/> does (by default
    /// by their property and parameter names).
    /// </summary>
    public LocalSgdSimulator(ITrainingTask task, LocalSgdSettings settings, DeltaCompressionSettings? compression, int jobs, SettingNames? names = null)
    {
        names ??= SettingNames.Properties;
        settings.Validate(names);
        compression?.Validate();
        if (jobs < 1) throw new UserInputException($"{names[nameof(jobs)]} must be at least 1, got {jobs}.");
        _task = task;
        _settings = settings;
        _jobs = jobs;
        Global = task.InitializeParameters(Seeds.Derive(settings.Seed, "init")).Select(t => new Parameter(t.DetachFromDisposeScope())).ToArray();
        _workers = Enumerable.Range(0, settings.Workers).Select(k => new LocalSgdWorker(task, Global, settings.Inner, settings.LocalSteps, Seeds.Derive(settings.Seed, "worker", k))).ToArray();
        _compressors = compression is null ? null : _workers.Select(_ => new ErrorFeedbackCompressor(compression)).ToArray();
    }

    /// <summary>The global parameters (what an outer optimizer is created over).</summary>
    public IReadOnlyList<Parameter> Global { get; }

    /// <summary>Runs every round with <paramref name="outer"/>, reporting each round to <paramref name="onRound"/>.</summary>
    public List<LocalSgdRound> Run(IOuterOptimizer outer, Action<LocalSgdRound>? onRound = null)
    {
        var rows = new List<LocalSgdRound>(_settings.Rounds);
        var clock = Stopwatch.StartNew();
        long bits = 0;
        for (int round = 0; round < _settings.Rounds; round++)
        {
            var losses = new double[_workers.Length];
            var deltas = new Tensor[_workers.Length][];
            ParallelJobs.Run(_workers.Length, _jobs, k => (losses[k], deltas[k]) = _workers[k].RunRound(Global));
            try
            {
                IReadOnlyList<IReadOnlyList<Tensor>> sent = deltas;
                if (_compressors is not null)
                {
                    var compressed = deltas.Select((d, k) => _compressors[k].Compress(d)).ToArray();
                    bits += compressed.Sum(c => c.BitsSent);
                    foreach (var d in deltas.SelectMany(d => d)) d.Dispose();
                    deltas = compressed.Select(c => c.Tensors.ToArray()).ToArray();
                    sent = deltas;
                }
                else bits += deltas.Sum(d => d.Sum(t => CompressedSize.FloatBits * t.numel()));
                outer.Step(sent);
            }
            finally
            {
                foreach (var d in deltas.SelectMany(d => d)) d.Dispose();
            }
            bool evaluate = (round + 1) % _settings.EvalEvery == 0 || round == _settings.Rounds - 1;
            TaskEvaluation? eval = evaluate ? _task.Evaluate(Global) : null;
            var row = new LocalSgdRound(round, (long)(round + 1) * _settings.LocalSteps, losses.Average(), eval?.Loss,
                eval is { } e && !double.IsNaN(e.Accuracy) ? e.Accuracy : null, bits, clock.Elapsed.TotalMilliseconds);
            rows.Add(row);
            onRound?.Invoke(row);
            if (!double.IsFinite(row.TrainLoss)) break;
        }
        return rows;
    }

    /// <summary>Frees the workers' parameters and optimizer state.</summary>
    public void Dispose()
    {
        foreach (var w in _workers) w.Dispose();
        if (_compressors is not null) foreach (var c in _compressors) c.Dispose();
        foreach (var p in Global) p.Dispose();
    }
}
