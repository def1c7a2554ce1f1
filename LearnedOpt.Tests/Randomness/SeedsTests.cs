using LearnedOpt.Randomness;

namespace LearnedOpt.Tests.Randomness;

public class SeedsTests
{
    [Fact]
    public void Derived_seeds_are_stable_distinct_per_purpose_and_non_negative()
    {
        Assert.Equal(Seeds.Derive(42, "init"), Seeds.Derive(42, "init"));
        Assert.NotEqual(Seeds.Derive(42, "init"), Seeds.Derive(42, "data"));
        Assert.NotEqual(Seeds.Derive(42, "init"), Seeds.Derive(43, "init"));
        Assert.NotEqual(Seeds.Derive(1, "particle", 0), Seeds.Derive(1, "particle", 1));
        var many = Enumerable.Range(0, 1000).Select(i => Seeds.Derive(i, "x")).ToArray();
        Assert.All(many, s => Assert.True(s >= 0));
        Assert.Equal(1000, many.Distinct().Count());
    }
}
