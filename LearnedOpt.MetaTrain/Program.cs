using LearnedOpt.MetaTrain.Cli;

return UnoptimizedJitRelaunch.RelaunchIfNeeded(args) ?? CliApp.Run(args);
