namespace LearnedOpt.MetaTrain.Nowcasting;

/// <summary>The element type parameter snapshots are stored in.</summary>
public enum TrajectoryDType
{
    /// <summary>Half precision: half the size, about three significant digits (the default).</summary>
    Float16,

    /// <summary>Single precision: exactly the parameters as trained.</summary>
    Float32,
}
