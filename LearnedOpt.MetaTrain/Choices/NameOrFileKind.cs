namespace LearnedOpt.MetaTrain.Choices;

/// <summary>What a value given to a <see cref="NameOrFile{T}"/> turned out to be.</summary>
public enum NameOrFileKind
{
    /// <summary>One of the baseline names.</summary>
    Name,

    /// <summary>An existing file.</summary>
    File,
}
