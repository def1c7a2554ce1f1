using System.CommandLine;
using System.Globalization;
using LearnedOpt.MetaTrain.Benchmarking;
using LearnedOpt.Runtime;
using Spectre.Console;

namespace LearnedOpt.Cli;

/// <summary><c>learnedopt bench</c>: meta-training and the learned step against this machine's FLOP bound, in one run.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Measure the sgemm rate, meta-training's inner steps/s (quick and mulo-s task shapes) and the learned step against AdamW, as fractions of the FLOP bound.");
        var outerSteps = CliOptions.Create("--outer-steps", "Outer steps timed per task shape and engine (after one warm-up step).", 5);
        var threads = CliOptions.Create("--threads", "libtorch intra-op threads (0: torch's default, one per core).", 0);
        command.Options.Add(outerSteps);
        command.Options.Add(threads);
        command.SetAction(result =>
        {
            int steps = result.GetValue(outerSteps);
            if (steps < 1) throw new UserInputException($"--outer-steps must be at least 1, got {steps}.");
            int threadCount = result.GetValue(threads);
            if (threadCount < 0) throw new UserInputException($"--threads must be 0 (torch's default) or more, got {threadCount}.");
            var report = ThroughputBenchmark.Run(steps, threadCount, Console.WriteLine);

            var loops = new Table().AddColumns("task shape", "engine", "MFLOP / inner step", "inner steps/s", "of the bound");
            foreach (var row in report.InnerLoops)
                loops.AddRow(Markup.Escape(row.Shape), Markup.Escape(row.Engine), Invariant($"{row.FlopsPerInnerStep / 1e6:F1}"), Invariant($"{row.InnerStepsPerSecond:F0}"), Invariant($"{row.FractionOfBound:P1}"));
            foreach (var shape in report.InnerLoops.GroupBy(r => r.Shape))
                foreach (var row in shape.Skip(1))
                    Console.WriteLine(Invariant($"{shape.Key}: {row.Engine} / {shape.First().Engine}: {row.InnerStepsPerSecond / shape.First().InnerStepsPerSecond:F1}×"));
            CliConsole.Out.Write(loops);

            var stepsTable = new Table().AddColumns("parameters", "step", "ms", "× AdamW", "of the bound");
            foreach (var row in report.Steps)
                stepsTable.AddRow(Invariant($"{row.Elements:N0}"), Markup.Escape(row.Optimizer), Invariant($"{row.Milliseconds:F3}"), Invariant($"{row.RatioToAdamW:F1}"), Invariant($"{row.FractionOfBound:P1}"));
            CliConsole.Out.Write(stepsTable);
            Console.WriteLine(report.FusedKernelsPreferred
                ? "JIT: fully optimising."
                : "JIT: minimal optimisation (DOTNET_JITMinOpts=1 is set): the fused kernels run unoptimised and training uses the tensor rule; unset it to measure the optimised JIT.");
            Console.WriteLine($"OpenMP: {OpenMpSpinWait.SpinCountVariable}={Environment.GetEnvironmentVariable(OpenMpSpinWait.SpinCountVariable) ?? "unset (300000)"}, {OpenMpSpinWait.WaitPolicyVariable}={Environment.GetEnvironmentVariable(OpenMpSpinWait.WaitPolicyVariable) ?? "unset"}");
            Console.WriteLine(Invariant($"bound: every FLOP at the measured sgemm rate of {report.SgemmGflops:F1} GFLOP/s ({report.Threads} thread(s)); features counted as {FlopModel.FeatureFlopsPerElement:F0} FLOP per element"));
            return 0;
        });
        return command;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
