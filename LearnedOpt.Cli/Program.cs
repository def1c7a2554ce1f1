using LearnedOpt.Cli;
using LearnedOpt.Runtime;

// Before the first torch call: libtorch's OpenMP reads its spin count when it loads.
OpenMpSpinWait.ShortenBeforeTorchLoads();
NativeAllocator.KeepFreedMemoryForReuse();
return CliApp.Run(args);
