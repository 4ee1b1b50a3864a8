using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>PowerShell-style wildcards, and listing keys by name pattern, tag and service.</summary>
public sealed class WildcardTests
{
    [Theory]
    [InlineData("api/*", "api/github", true)]
    [InlineData("api/*", "API/GitHub", true)]
    [InlineData("api/*", "db/api/x", false)]
    [InlineData("*", "", true)]
    [InlineData("key?", "key1", true)]
    [InlineData("key?", "key", false)]
    [InlineData("key?", "key12", false)]
    [InlineData("[ab]x", "bx", true)]
    [InlineData("[ab]x", "cx", false)]
    [InlineData("v[0-9]", "v7", true)]
    [InlineData("v[0-9]", "vx", false)]
    [InlineData("a.b", "axb", false)]
    [InlineData("a.b", "a.b", true)]
    [InlineData("(x)+", "(x)+", true)]
    [InlineData("a`*b", "a*b", true)]
    [InlineData("a`*b", "axxb", false)]
    [InlineData("a`?", "a?", true)]
    [InlineData("a`?", "ab", false)]
    [InlineData("open[bracket", "open[bracket", true)]
    [InlineData("line*", "line1\nline2", true)]
    public void A_pattern_matches_the_whole_text_ignoring_case(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, new Wildcard(pattern).IsMatch(text));
    }

    [Theory]
    [InlineData("plain", false)]
    [InlineData("a*", true)]
    [InlineData("a?", true)]
    [InlineData("[a]", true)]
    [InlineData("a`*b", false)]
    [InlineData("a`[1`]", false)]
    [InlineData("a``*", true)]
    public void Wildcard_characters_are_recognized(string pattern, bool expected)
    {
        Assert.Equal(expected, Wildcard.HasWildcards(pattern));
    }

    [Fact]
    public void Listing_filters_by_name_pattern_tag_and_service_and_sorts_by_name()
    {
        using var vault = new TestVault();
        void Set(string name, string[] tags, string? service)
        {
            using var value = SecretText.FromString("v");
            vault.Engine.SetKey(name, value, new KeyUpdate(Tags: tags, Service: service));
        }
        Set("db/prod", ["prod", "db"], "postgres");
        Set("API/github", ["prod", "ci"], "github");
        Set("api/gitlab", ["ci"], "gitlab");
        Set("api/*literal", [], null);

        string[] Names(KeyFilter? filter) => vault.Engine.ListKeys(filter).Select(k => k.Name).ToArray();

        Assert.Equal(["api/*literal", "API/github", "api/gitlab", "db/prod"], Names(null));
        Assert.Equal(["api/*literal", "API/github", "api/gitlab", "db/prod"], Names(new KeyFilter(Name: "*")));
        Assert.Equal(["api/*literal", "API/github", "api/gitlab"], Names(new KeyFilter(Name: "api/*")));
        Assert.Equal(["API/github"], Names(new KeyFilter(Name: "api/GITHUB")));
        Assert.Equal(["api/*literal"], Names(new KeyFilter(Name: "api/`*literal")));
        Assert.Empty(Names(new KeyFilter(Name: "nothing")));
        Assert.Equal(["API/github", "db/prod"], Names(new KeyFilter(Tags: ["PROD"])));
        Assert.Equal(["API/github"], Names(new KeyFilter(Tags: ["prod", "ci"])));
        Assert.Equal(["API/github", "api/gitlab"], Names(new KeyFilter(Service: "git*")));
        Assert.Equal(["api/gitlab"], Names(new KeyFilter(Name: "api/*", Tags: ["ci"], Service: "*lab")));
    }

    [Fact]
    public void Listing_an_exact_name_longer_than_any_key_finds_nothing_instead_of_failing()
    {
        using var vault = new TestVault();
        Assert.Empty(vault.Engine.ListKeys(new KeyFilter(Name: new string('x', KeyNames.MaxNameLength + 1))));
    }

    [Theory]
    [InlineData("a`*b", "a*b")]
    [InlineData("a`[1`]", "a[1]")]
    [InlineData("tick``", "tick`")]
    [InlineData("plain", "plain")]
    public void Unescaping_gives_the_literal_name(string pattern, string expected)
    {
        Assert.Equal(expected, Wildcard.Unescape(pattern));
    }

    [Fact]
    public void An_escaped_name_with_wildcard_characters_finds_exactly_that_key()
    {
        using var vault = new TestVault();
        foreach (var name in new[] { "a[1]", "a1", "a*b", "axb" })
        {
            using var value = SecureVault.Values.SecretText.FromString(name);
            vault.Engine.SetKey(name, value);
        }
        Assert.Equal(["a[1]"], vault.Engine.ListKeys(new KeyFilter("a`[1`]")).Select(k => k.Name));
        Assert.Equal(["a*b"], vault.Engine.ListKeys(new KeyFilter("a`*b")).Select(k => k.Name));
    }
}
