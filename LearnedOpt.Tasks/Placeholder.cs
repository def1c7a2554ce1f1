namespace LearnedOpt.Tasks; internal static class P1 {}
