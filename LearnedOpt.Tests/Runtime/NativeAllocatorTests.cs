using LearnedOpt.Runtime;

namespace LearnedOpt.Tests.Runtime;

/// <summary>The allocator tuning applies on glibc Linux, and the opt-out keeps glibc's defaults.</summary>
public class NativeAllocatorTests
{
    [Fact]
    public void Keeping_freed_memory_applies_on_linux_unless_opted_out()
    {
        string? before = Environment.GetEnvironmentVariable(NativeAllocator.OptOutVariable);
        try
        {
            Environment.SetEnvironmentVariable(NativeAllocator.OptOutVariable, "1");
            Assert.False(NativeAllocator.KeepFreedMemoryForReuse());

            Environment.SetEnvironmentVariable(NativeAllocator.OptOutVariable, null);
            // This machine and CI run Debian (glibc); elsewhere the call is a no-op that says so.
            Assert.Equal(OperatingSystem.IsLinux(), NativeAllocator.KeepFreedMemoryForReuse());
        }
        finally
        {
            Environment.SetEnvironmentVariable(NativeAllocator.OptOutVariable, before);
        }
    }
}
