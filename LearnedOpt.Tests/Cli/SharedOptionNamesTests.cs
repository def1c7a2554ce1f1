using System.CommandLine;
using LearnedOpt.Cli;

namespace LearnedOpt.Tests.Cli;

/// <summary>
/// One idea, one option name across commands: the nowcast-jump options of <c>nowcaster eval</c> are spelled as in
/// <c>train</c>, and <c>localsgd-compare</c> takes <c>--tuning-seeds</c> as <c>eval</c> does; the earlier spellings still parse.
/// </summary>
public class SharedOptionNamesTests
{
    [Theory]
    [InlineData("nowcaster eval", "--nowcast-check", "--check-jumps")]
    [InlineData("nowcaster eval", "--nowcast-tolerance", "--jump-tolerance")]
    [InlineData("nowcaster eval", "--nowcast-period", "--period")]
    [InlineData("nowcaster eval", "--nowcast-max-horizon", "--max-horizon")]
    [InlineData("nowcaster eval", "--nowcast-warmup", "--warmup")]
    [InlineData("localsgd-compare", "--tuning-seeds", "--tune-seeds")]
    public void A_renamed_option_keeps_its_earlier_spelling_as_an_alias(string command, string name, string alias)
    {
        var option = Find(command, name);
        Assert.Contains(alias, option.Aliases);
    }

    [Theory]
    [InlineData("nowcast-check")]
    [InlineData("nowcast-tolerance")]
    [InlineData("nowcast-period")]
    [InlineData("nowcast-max-horizon")]
    [InlineData("nowcast-warmup")]
    public void Train_and_nowcaster_eval_name_the_nowcast_options_alike(string name)
    {
        Find("train", "--" + name);
        Find("nowcaster eval", "--" + name);
    }

    private static Option Find(string command, string name)
    {
        Command current = CliApp.BuildRoot();
        foreach (string part in command.Split(' '))
            current = current.Subcommands.Single(c => c.Name == part);
        return current.Options.Single(o => o.Name == name);
    }
}
