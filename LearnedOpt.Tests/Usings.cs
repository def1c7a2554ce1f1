global using LearnedOpt.Tests.Support;
global using Xunit;
