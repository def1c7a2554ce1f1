using System.Globalization;

namespace LearnedOpt.LocalSgd;

/// <summary>
/// How a local-SGD worker compresses the delta it sends (SparseLoCo style): per-tile top-k sparsification, then
/// symmetric uniform quantisation of the kept values, with an error-feedback buffer that carries what was not sent
/// into the next outer step. The defaults (no top-k, no quantisation) send the delta unchanged.
/// </summary>
/// <param name="TopKDensity">Fraction of entries kept per tile, in (0, 1] (e.g. 0.015); null keeps every entry.</param>
/// <param name="TileSize">Entries per tile (≥ 1); tiles run over the flattened tensor, the last one may be shorter.</param>
/// <param name="QuantizationBits">Bits per sent value, 2..8 (symmetric, levels −(2^(b−1)−1)..2^(b−1)−1 times a per-tile scale); null sends float32.</param>
/// <param name="ErrorFeedbackDecay">β in [0, 1]: the buffer becomes β·e + Δ before compression (1 = plain error feedback).</param>
/// <param name="ErrorFeedback">Whether to keep an error-feedback buffer at all; without it Δ̂ = Q(TopK(Δ)).</param>
public sealed record DeltaCompressionSettings(
    double? TopKDensity = null,
    int TileSize = 4096,
    int? QuantizationBits = null,
    double ErrorFeedbackDecay = 1.0,
    bool ErrorFeedback = true)
{
    /// <summary>Whether anything is dropped or rounded (top-k or quantisation is on).</summary>
    public bool Compresses => TopKDensity is not null || QuantizationBits is not null;

    /// <summary>Throws <see cref="UserInputException"/> naming the bad value and its allowed range.</summary>
    public void Validate()
    {
        if (Problem() is { } problem) throw new UserInputException(char.ToUpperInvariant(problem[0]) + problem[1..] + ".");
    }

    /// <summary>
    /// Parses a command-line spec: comma-separated parts <c>topk:&lt;fraction or percent&gt;</c>, <c>&lt;b&gt;bit</c>,
    /// <c>tile:&lt;entries&gt;</c>, <c>ef:&lt;β&gt;</c> or <c>ef:off</c>, e.g. <c>topk:1.5%,2bit,tile:2048,ef:0.9</c>;
    /// <c>none</c> alone means no compression. A bad spec throws <see cref="UserInputException"/> naming the bad part.
    /// </summary>
    public static DeltaCompressionSettings Parse(string spec) => DeltaCompressionSpec.Parse(spec);

    /// <summary>The first invalid value as a lower-case clause ("the tile size must be …, got 0"), or null.</summary>
    internal string? Problem()
    {
        if (TopKDensity is { } d && !(d > 0 && d <= 1))
            return Invariant($"the top-k density must be in (0, 1], a fraction such as 0.015 (1.5 %), got {d}");
        if (TileSize < 1) return Invariant($"the tile size must be at least 1 entry, got {TileSize}");
        if (QuantizationBits is { } b && b is < UniformQuantizer.MinBits or > UniformQuantizer.MaxBits)
            return Invariant($"quantisation must use {UniformQuantizer.MinBits} to {UniformQuantizer.MaxBits} bits, got {b}");
        if (!(ErrorFeedbackDecay >= 0 && ErrorFeedbackDecay <= 1))
            return Invariant($"the error-feedback decay β must be in [0, 1], got {ErrorFeedbackDecay}");
        return null;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
