using LearnedOpt.Nowcasting;

namespace LearnedOpt.MetaTrain.Training;

/// <summary>What nowcasting did during a run.</summary>
/// <param name="Kind">The nowcaster's kind (linear, gnn, wnn).</param>
/// <param name="Period">Steps between jumps.</param>
/// <param name="SnapshotEvery">Steps between snapshots (the unit of a horizon).</param>
/// <param name="Jumps">Every jump taken, in order.</param>
/// <param name="SkippedJumps">Jumps skipped because the prediction had a non-finite value.</param>
/// <param name="RejectedJumps">Jumps the probe check refused.</param>
public sealed record NowcastOutcome(string Kind, int Period, int SnapshotEvery, IReadOnlyList<NowcastJump> Jumps, int SkippedJumps, int RejectedJumps)
{
    /// <summary>"3 jumps (1 skipped), 2 rejected by the check".</summary>
    public string JumpCount =>
        $"{Jumps.Count} jump{(Jumps.Count == 1 ? "" : "s")}{(SkippedJumps > 0 ? $" ({SkippedJumps} skipped)" : "")}" +
        (RejectedJumps > 0 ? $", {RejectedJumps} rejected by the check" : "");

    /// <summary>The outcome so far of <paramref name="nowcasting"/>.</summary>
    public static NowcastOutcome Of(NowcastingOptimizer nowcasting) =>
        new(nowcasting.Nowcaster.Kind, nowcasting.Period, nowcasting.SnapshotEvery, [.. nowcasting.Jumps], nowcasting.SkippedJumps, nowcasting.RejectedJumps);
}
