using LearnedOpt.MetaTrain.Cli;
using LearnedOpt.Runtime;

if (UnoptimizedJitRelaunch.RelaunchIfNeeded(args) is { } exitCode) return exitCode;
NativeAllocator.KeepFreedMemoryForReuse();
return CliApp.Run(args);
