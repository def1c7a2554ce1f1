using System.CommandLine;
using LearnedOpt.MetaTrain.Reports;

namespace LearnedOpt.Cli;

/// <summary>
/// <c>learnedopt plot PATH…</c>: figures from evaluation folders, or from single steps, summary or coordcheck CSV
/// files recognised by their header. Every input is read and checked before the first PNG is written.
/// </summary>
internal static class PlotCommand
{
    // What the library's messages call a coordinate check's output folder on this command line.
    private static readonly SettingNames OptionNames = SettingNames.Of((PlotInput.CoordinateCheckOutput, "coordcheck --out"));

    public static Command Create()
    {
        var command = new Command("plot", "Draw PNG figures from `learnedopt eval` folders or from steps, summary or coordcheck CSV files.");
        var paths = new Argument<string[]>("paths")
        {
            Description = "Evaluation output folders, or CSV files (steps.csv, summary.csv, coordcheck.csv) recognised by their header.",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string?>("--out") { Description = "Folder for the PNGs (default: an evaluation folder's figures/, or the CSV file's folder)." };
        command.Arguments.Add(paths);
        command.Options.Add(output);

        command.SetAction(result =>
        {
            var inputs = result.GetValue(paths)!.Select(path => PlotInput.Open(path, OptionNames)).ToList();
            string? outDir = result.GetValue(output) is { } o ? CliOptions.PrepareOutputDirectory(o) : null;
            var jobs = inputs
                .SelectMany(input => input.Figures.Select(figure => (Input: input, Figure: figure,
                    Path: Path.GetFullPath(Path.Combine(outDir ?? input.DefaultOutputFolder, figure.FileName)))))
                .ToList();
            RefuseCollisions(jobs.Select(j => (j.Input.Path, j.Path)));

            foreach (var note in inputs.SelectMany(i => i.Notes)) Console.WriteLine($"note: {note}");
            if (jobs.Count == 0)
            {
                Console.WriteLine("nothing to plot.");
                return 0;
            }
            if (outDir is null)
                foreach (var folder in inputs.Where(i => i.Figures.Count > 0).Select(i => i.DefaultOutputFolder).Distinct())
                    CliOptions.PrepareOutputDirectory(folder);
            foreach (var (_, figure, path) in jobs)
            {
                figure.Save(path);
                Console.WriteLine($"wrote {path}");
            }
            return 0;
        });
        return command;
    }

    // Two inputs drawing into one folder (e.g. two evaluation folders with one --out) would overwrite each other's figures.
    private static void RefuseCollisions(IEnumerable<(string Input, string Output)> jobs)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (input, output) in jobs)
        {
            if (seen.TryGetValue(output, out var other) && other != input)
                throw new UserInputException($"{other} and {input} would both write {output}; plot them one at a time or give each its own --out.");
            seen[output] = input;
        }
    }
}
