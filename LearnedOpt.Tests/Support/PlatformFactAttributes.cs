namespace LearnedOpt.Tests.Support;

/// <summary>A fact that needs a POSIX shell (stand-in executables written as scripts): reported as skipped on Windows.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "needs a POSIX shell for its stand-in executables";
    }
}

/// <summary>A fact about Linux binaries (ELF files, glibc): reported as skipped on other systems.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "checks Linux binaries";
    }
}
