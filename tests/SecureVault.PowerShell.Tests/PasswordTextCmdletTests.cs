namespace SecureVault.PowerShell.Tests;

/// <summary>
/// A cmdlet password with a lone surrogate (which became U+FFFD, so that several passwords opened
/// one vault) or with U+FFFD is refused as InvalidInput; canonically equivalent spellings are one password.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class PasswordTextCmdletTests(ModuleFixture fixture)
{
    private const string Base = "correct horse battery staple ";

    // The last code unit as a number: xunit would give the lone-surrogate strings one test id and run only one.
    public static TheoryData<int> IllFormedPasswords => new() { 0xD800, 0xDBFF, 0xDC00, 0xFFFD };

    [Theory]
    [MemberData(nameof(IllFormedPasswords))]
    public void New_Vault_refuses_the_password_as_InvalidInput_and_creates_nothing(int lastUnit)
    {
        var password = Base + (char)lastUnit;
        using var vault = new HostedVault(fixture, create: false);
        var result = vault.Run("New-Vault -Vault $v -Password $p -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1",
            ("v", vault.VaultPath), ("p", ModuleFixture.Secure(password)));
        Assert.Contains(result.ErrorIds, id => id.StartsWith("InvalidInput,", StringComparison.Ordinal));
        Assert.False(File.Exists(vault.VaultPath));
    }

    [Theory]
    [MemberData(nameof(IllFormedPasswords))]
    public void Unlock_Vault_refuses_the_password_as_InvalidInput(int lastUnit)
    {
        var password = Base + (char)lastUnit;
        using var vault = new HostedVault(fixture);
        vault.Invoke("Lock-Vault -Vault $v", ("v", vault.VaultPath));
        var result = vault.Run("Unlock-Vault -Vault $v -Password $p", ("v", vault.VaultPath), ("p", ModuleFixture.Secure(password)));
        Assert.Contains(result.ErrorIds, id => id.StartsWith("InvalidInput,", StringComparison.Ordinal));
        var status = Assert.Single(vault.Invoke("Get-VaultStatus -Vault $v", ("v", vault.VaultPath)));
        Assert.True((bool)status.Properties["IsLocked"].Value);
    }

    [Fact]
    public void A_password_set_with_a_precomposed_letter_unlocks_when_typed_with_a_combining_accent()
    {
        using var vault = new HostedVault(fixture, create: false);
        vault.Invoke("$null = New-Vault -Vault $v -Password $p -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1",
            ("v", vault.VaultPath), ("p", ModuleFixture.Secure(Base + "caf\u00E9")));
        vault.Invoke("Lock-Vault -Vault $v", ("v", vault.VaultPath));
        vault.Invoke("Unlock-Vault -Vault $v -Password $p", ("v", vault.VaultPath), ("p", ModuleFixture.Secure(Base + "cafe\u0301")));
        var status = Assert.Single(vault.Invoke("Get-VaultStatus -Vault $v", ("v", vault.VaultPath)));
        Assert.False((bool)status.Properties["IsLocked"].Value);
    }
}
