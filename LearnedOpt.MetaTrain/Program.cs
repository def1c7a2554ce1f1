using LearnedOpt.MetaTrain.Cli;
using LearnedOpt.Runtime;

NativeAllocator.KeepFreedMemoryForReuse();
return CliApp.Run(args);
