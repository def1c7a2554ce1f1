using System.CommandLine;

namespace LearnedOpt.MetaTrain.Cli;

/// <summary><c>learnedopt data …</c>: fetch and prepare data sets.</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var data = new Command("data", "Fetch and prepare data sets (MNIST, Fashion-MNIST).");
        return data;
    }
}
