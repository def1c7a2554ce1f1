using LearnedOpt.MetaTrain.Cli;

return CliApp.Run(args);
