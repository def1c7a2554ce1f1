using System.Text;

namespace LearnedOpt.Randomness;

/// <summary>
/// Derives independent, stable seeds for each purpose ("init", "data", particle 3, …) from one user seed, so a
/// run's every random draw is a pure function of that seed and adding a new consumer never shifts the others.
/// </summary>
public static class Seeds
{
    /// <summary>A seed for <paramref name="purpose"/> derived from <paramref name="seed"/> (SplitMix64 of both).</summary>
    public static long Derive(long seed, string purpose)
    {
        ulong h = 14695981039346656037UL; // FNV-1a of the purpose text
        foreach (byte b in Encoding.UTF8.GetBytes(purpose)) h = (h ^ b) * 1099511628211UL;
        return (long)(Mix((ulong)seed ^ Mix(h)) & 0x7FFF_FFFF_FFFF_FFFFUL);
    }

    /// <summary>A seed for item <paramref name="index"/> of <paramref name="purpose"/>.</summary>
    public static long Derive(long seed, string purpose, long index) => Derive(Derive(seed, purpose), index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
