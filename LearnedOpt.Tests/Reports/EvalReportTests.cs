using LearnedOpt.MetaTrain.Reports;

namespace LearnedOpt.Tests.Reports;

/// <summary>The markdown report, built from rows alone: what a reader must be able to find in it.</summary>
public class EvalReportTests
{
    private static string Build(string? grid = "{\n  \"widths\": [32, 64, 128]\n}") =>
        EvalReport.Build(new EvalManifest(EvalFixture.Command, grid), EvalFixture.Summary(), EvalFixture.Tuning(),
            [new("Final training loss vs width", "figures/final-loss-vs-width.png")],
            [new("fmnist8-mlp w64 d2 h20", "figures/curves-fmnist8-mlp-w64-d2-h20.png")]);

    [Fact]
    public void The_report_starts_with_the_exact_command_and_the_grid()
    {
        string report = Build();
        Assert.Contains($"```sh\n{EvalFixture.Command}\n```", report);
        Assert.Contains("```json\n{\n  \"widths\": [32, 64, 128]\n}\n```", report);
        Assert.Contains("records no grid", Build(grid: null));
    }

    [Fact]
    public void The_width_table_has_one_column_per_width_and_the_lowest_loss_of_each_column_in_bold()
    {
        string report = Build();
        Assert.Contains("| optimizer | width 32 | width 64 (base) | width 128 |", report);
        Assert.Contains("| quick | 0.730 ± 0.010 | 0.680 ± 0.010 | **0.630 ± 0.010** |", report);
        Assert.Contains("| adamw (tuned) | **0.650 ± 0.020** | **0.650 ± 0.020** | 0.650 ± 0.020 |", report);
        Assert.Contains("### Versus depth", report);
        Assert.Contains("### Versus horizon", report);
        Assert.DoesNotContain("### Versus task", report); // one task only
    }

    [Fact]
    public void A_censored_speedup_is_shown_as_a_lower_bound()
    {
        string report = Build();
        Assert.Contains("| fmnist8-mlp w128 d2 h20 | ≥1.50 ± 0.10 | 1.00 ± 0.10 |", report);
        Assert.Contains("| fmnist8-mlp w64 d2 h20 (base) | 1.50 ± 0.10 | 1.00 ± 0.10 |", report);
    }

    [Fact]
    public void The_tuning_table_shows_the_pick_its_runner_up_and_every_rate_with_its_tuning_loss()
    {
        string report = Build();
        Assert.Contains("| fmnist8-mlp w64 d2 h20 | adamw | 3e-3 | 1e-2 | 1e-3 (0.910) · **3e-3 (0.650)** · 1e-2 (1.500, 1 of 2 diverged) |", report);
    }

    [Fact]
    public void A_pick_at_the_edge_of_the_grid_is_flagged()
    {
        var summary = EvalFixture.Summary().Select(r => r.Lr is null ? r : r with { Lr = 1e-2, LrRunnerUp = 3e-3 }).ToList();
        string report = EvalReport.Build(new EvalManifest("x", null), summary, [], [], []);
        Assert.Contains("| 1e-2 (grid edge) | 3e-3 |", report);
    }

    [Fact]
    public void Held_out_results_of_the_base_cell_divergences_and_figure_links_are_listed()
    {
        string report = Build();
        Assert.Contains("## Held-out loss and accuracy on the base cell (fmnist8-mlp w64 d2 h20)", report);
        Assert.Contains("| adamw (tuned) | **0.700 ± 0.020** | **73.5 ± 0.4** |", report);
        Assert.Contains("- adamw (tuned) on fmnist8-mlp w128 d3 h20: 1 of 2 seeds diverged", report);
        Assert.Contains("During tuning, 1 of 6 runs diverged", report);
        Assert.Contains("![Final training loss vs width](figures/final-loss-vs-width.png)", report);
        Assert.Contains("- [fmnist8-mlp w64 d2 h20](figures/curves-fmnist8-mlp-w64-d2-h20.png)", report);
    }

    [Fact]
    public void Write_reads_the_folder_draws_every_figure_and_returns_what_it_wrote()
    {
        using var temp = new TempFolder();
        EvalFixture.Write(temp["eval"]);

        var files = EvalReport.Write(temp["eval"]);

        Assert.Equal(temp["eval/report.md"], files.Report);
        Assert.True(files.HasCurves);
        Assert.Equal(EvalFixture.ExpectedFigures.Order(), files.Figures.Select(Path.GetFileName).Order());
        Assert.All(files.Figures, f => Assert.True(File.Exists(f), f));
        string report = File.ReadAllText(files.Report);
        Assert.All(EvalFixture.ExpectedFigures, f => Assert.Contains($"(figures/{f})", report));
    }

    [Fact]
    public void Write_without_steps_has_no_curves_and_a_folder_as_report_path_is_refused_by_its_setting_name()
    {
        using var temp = new TempFolder();
        EvalFixture.Write(temp["eval"]);
        File.Delete(temp["eval/steps.csv"]);
        Directory.CreateDirectory(temp["docs"]);

        var refused = Assert.Throws<UserInputException>(() => EvalReport.Write(temp["eval"], temp["docs"]));
        Assert.StartsWith($"{EvalReport.ReportPathSetting} {temp["docs"]} is a folder", refused.Message);
        Assert.False(Directory.Exists(temp["eval/figures"])); // refused before drawing anything

        var files = EvalReport.Write(temp["eval"], temp["docs/eval.md"]);
        Assert.False(files.HasCurves);
        Assert.DoesNotContain(files.Figures, f => Path.GetFileName(f).StartsWith("curves-", StringComparison.Ordinal));
        Assert.Contains("](../eval/figures/", File.ReadAllText(files.Report));
    }
}
