using System.Runtime.CompilerServices;

namespace LearnedOpt.Tests.Support;

/// <summary>The clone these tests were built from: the folder holding LearnedOpt.sln.</summary>
internal static class RepositoryRoot
{
    /// <summary>The repository's root folder.</summary>
    public static string Path { get; } = Find();

    // Looks above the test binaries, then (for builds with --artifacts-path outside the clone) above this source file.
    private static string Find([CallerFilePath] string sourceFile = "")
    {
        foreach (string start in new[] { AppContext.BaseDirectory, System.IO.Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "LearnedOpt.sln"))) return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException($"LearnedOpt.sln not found above {AppContext.BaseDirectory} or {sourceFile}");
    }
}
