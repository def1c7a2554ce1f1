namespace LearnedOpt.Optimizers;

/// <summary>The shape of a learning-rate schedule after its linear warmup.</summary>
public enum ScheduleKind
{
    /// <summary>Constant after warmup.</summary>
    Constant,
    /// <summary>Cosine decay from the peak to <c>FinalFraction × peak</c> at the last step.</summary>
    Cosine,
    /// <summary>Linear decay from the peak to <c>FinalFraction × peak</c> at the last step.</summary>
    Linear,
}
