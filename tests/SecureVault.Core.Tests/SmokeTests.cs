using SecureVault.Values;

namespace SecureVault.Tests;

public class SmokeTests
{
    [Fact]
    public void A_string_written_is_read_back_after_unlocking_again()
    {
        using var vault = new TestVault();
        vault.Engine.SetKey("api/github", SecretText.FromString("ghp_example"), new KeyUpdate(Tags: ["ci"], Service: "github"));
        vault.Engine.Lock();
        vault.Engine.Unlock(TestVault.Password);
        using var value = (SecretText)vault.Engine.GetKey("API/GITHUB");
        Assert.Equal("ghp_example", value.ToPlainString());
        var info = Assert.Single(vault.Engine.ListKeys());
        Assert.Equal("api/github", info.Name);
        Assert.Equal(["ci"], info.Tags);
    }
}
