using System.Management.Automation;

namespace SecureVault.PowerShell.Tests;

[Collection(ModuleCollection.Name)]
public sealed class VaultLifecycleTests(ModuleFixture fixture)
{
    [Fact]
    public void New_Vault_creates_an_unlocked_vault_and_returns_its_status()
    {
        using var vault = new HostedVault(fixture, create: false);
        var status = Assert.Single(vault.Invoke(
            "New-Vault -Vault $v -Password $p -Principal alice -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1",
            ("v", vault.VaultPath), ("p", HostedVault.Password)));
        Assert.Equal("SecureVault.VaultStatus", status.BaseObject.GetType().FullName);
        Assert.False((bool)status.Properties["IsLocked"].Value);
        Assert.Equal("alice", status.Properties["Principal"].Value);
        Assert.Equal("Admin", status.Properties["Role"].Value);
        Assert.Equal("SQLite", status.Properties["Store"].Value);
        Assert.Equal(1, status.Properties["FormatVersion"].Value);
        Assert.Equal("Argon2id m=1 MiB, t=1, p=1", status.Properties["Kdf"].Value);
        Assert.Equal(0L, status.Properties["KeyCount"].Value);
        Assert.NotNull(status.Properties["MemoryLockDetail"].Value);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(vault.VaultPath));
    }

    [Fact]
    public void New_Vault_refuses_an_existing_vault_and_a_short_password()
    {
        using var vault = new HostedVault(fixture);
        var again = vault.Run("New-Vault -Vault $v -Password $p -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1",
            ("v", vault.VaultPath), ("p", HostedVault.Password));
        Assert.Contains(again.ErrorIds, id => id.StartsWith("VaultExists,", StringComparison.Ordinal));

        var otherPath = fixture.NewVaultPath();
        var weak = vault.Run("New-Vault -Vault $v -Password $p -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1",
            ("v", otherPath), ("p", ModuleFixture.Secure("short")));
        Assert.Contains(weak.ErrorIds, id => id.StartsWith("InvalidInput,", StringComparison.Ordinal));
        Assert.False(File.Exists(otherPath));
    }

    [Fact]
    public void New_Vault_WhatIf_creates_nothing()
    {
        using var vault = new HostedVault(fixture, create: false);
        vault.Invoke("New-Vault -Vault $v -Password $p -WhatIf", ("v", vault.VaultPath), ("p", HostedVault.Password));
        Assert.False(File.Exists(vault.VaultPath));
    }

    [Fact]
    public void A_locked_vault_refuses_reads_with_VaultLocked_and_unlocks_again_with_the_password()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("Set-VaultKey -Vault $v -Name k -Value 'v1'", ("v", vault.VaultPath));
        vault.Invoke("Lock-Vault -Vault $v", ("v", vault.VaultPath));
        var status = Assert.Single(vault.Invoke("Get-VaultStatus -Vault $v", ("v", vault.VaultPath)));
        Assert.True((bool)status.Properties["IsLocked"].Value);
        Assert.Equal(1L, status.Properties["KeyCount"].Value);

        var locked = vault.Run("Get-VaultKey -Vault $v -Name k", ("v", vault.VaultPath));
        Assert.Equal("VaultLocked,SecureVault.PowerShell.Commands.GetVaultKeyCommand", Assert.Single(locked.ErrorIds));
        Assert.Equal(ErrorCategory.ResourceUnavailable, Assert.Single(locked.Errors).CategoryInfo.Category);

        var unlocked = Assert.Single(vault.Invoke("Unlock-Vault -Vault $v -Password $p -Timeout '00:05:00' -PassThru",
            ("v", vault.VaultPath), ("p", HostedVault.Password)));
        Assert.False((bool)unlocked.Properties["IsLocked"].Value);
        var left = (TimeSpan)unlocked.Properties["TimeLeft"].Value;
        Assert.InRange(left, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        Assert.Equal("v1", Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name k -AsPlainText", ("v", vault.VaultPath))).BaseObject);
    }

    [Fact]
    public void A_wrong_password_is_AuthenticationFailed_and_leaves_the_vault_locked()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("Lock-Vault -Vault $v", ("v", vault.VaultPath));
        var wrong = vault.Run("Unlock-Vault -Vault $v -Password $p", ("v", vault.VaultPath), ("p", ModuleFixture.Secure("not the password")));
        Assert.Equal("AuthenticationFailed,SecureVault.PowerShell.Commands.UnlockVaultCommand", Assert.Single(wrong.ErrorIds));
        Assert.Equal(ErrorCategory.AuthenticationError, Assert.Single(wrong.Errors).CategoryInfo.Category);
        Assert.True((bool)Assert.Single(vault.Invoke("Get-VaultStatus -Vault $v", ("v", vault.VaultPath))).Properties["IsLocked"].Value);
    }

    [Fact]
    public void A_session_unlocked_in_one_runspace_serves_another_runspace()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("Set-VaultKey -Vault $v -Name shared -Value 'from runspace one'", ("v", vault.VaultPath));
        using var other = fixture.NewRunspace();
        using var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = other;
        ps.AddCommand("Get-VaultKey").AddParameter("Vault", vault.VaultPath).AddParameter("Name", "shared").AddParameter("AsPlainText");
        Assert.Equal("from runspace one", Assert.Single(ps.Invoke()).BaseObject);
    }

    [Fact]
    public void Lock_Vault_All_locks_every_unlocked_vault()
    {
        using var first = new HostedVault(fixture);
        using var second = new HostedVault(fixture);
        first.Invoke("Lock-Vault -All");
        foreach (var path in new[] { first.VaultPath, second.VaultPath })
            Assert.True((bool)Assert.Single(first.Invoke("Get-VaultStatus -Vault $v", ("v", path))).Properties["IsLocked"].Value);
    }

    [Fact]
    public void Get_VaultStatus_of_a_missing_vault_is_VaultNotFound()
    {
        using var vault = new HostedVault(fixture, create: false);
        var result = vault.Run("Get-VaultStatus -Vault $v", ("v", vault.VaultPath));
        Assert.Equal("VaultNotFound,SecureVault.PowerShell.Commands.GetVaultStatusCommand", Assert.Single(result.ErrorIds));
    }

    [Fact]
    public void A_vault_named_without_a_path_lives_in_the_SecureVault_home_folder()
    {
        using var vault = new HostedVault(fixture, create: false);
        var name = "named" + Guid.NewGuid().ToString("N")[..8];
        vault.Invoke("$null = New-Vault -Vault $n -Password $p -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1",
            ("n", name), ("p", HostedVault.Password));
        Assert.True(File.Exists(Path.Combine(fixture.Home, name + ".vault")));
        vault.Invoke("Lock-Vault -Vault $n", ("n", name));
    }

    [Fact]
    public void Set_VaultPassword_changes_the_password_and_keeps_the_keys()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("Set-VaultKey -Vault $v -Name k -Value 'kept'", ("v", vault.VaultPath));
        var newPassword = ModuleFixture.Secure("a much longer new passphrase");
        vault.Invoke("Set-VaultPassword -Vault $v -Password $p -NewPassword $n -Confirm:$false",
            ("v", vault.VaultPath), ("p", HostedVault.Password), ("n", newPassword));
        vault.Invoke("Lock-Vault -Vault $v", ("v", vault.VaultPath));
        var old = vault.Run("Unlock-Vault -Vault $v -Password $p", ("v", vault.VaultPath), ("p", HostedVault.Password));
        Assert.Contains(old.ErrorIds, id => id.StartsWith("AuthenticationFailed,", StringComparison.Ordinal));
        vault.Invoke("Unlock-Vault -Vault $v -Password $n", ("v", vault.VaultPath), ("n", newPassword));
        Assert.Equal("kept", Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name k -AsPlainText", ("v", vault.VaultPath))).BaseObject);
    }

    [Fact]
    public void Key_cmdlets_on_a_missing_vault_say_VaultNotFound_not_VaultLocked()
    {
        using var vault = new HostedVault(fixture, create: false);
        foreach (var script in new[] { "Get-VaultKey -Vault $v -Name k", "Set-VaultKey -Vault $v -Name k -Value x", "Get-VaultKeyInfo -Vault $v" })
        {
            var result = vault.Run(script, ("v", vault.VaultPath));
            Assert.Contains(result.ErrorIds, id => id.StartsWith("VaultNotFound,", StringComparison.Ordinal));
        }
        Assert.False(File.Exists(vault.VaultPath));
    }

    [Fact]
    public void A_bare_number_timeout_read_as_ticks_is_refused()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("Lock-Vault -Vault $v", ("v", vault.VaultPath));
        var result = vault.Run("Unlock-Vault -Vault $v -Password $p -Timeout 60", ("v", vault.VaultPath), ("p", HostedVault.Password));
        Assert.Contains(result.ErrorIds, id => id.StartsWith("InvalidInput,", StringComparison.Ordinal));
    }

    [Fact]
    public void Lock_Vault_refuses_All_together_with_Vault()
    {
        using var vault = new HostedVault(fixture);
        var result = vault.Run("Lock-Vault -All -Vault $v", ("v", vault.VaultPath));
        Assert.Contains(result.ErrorIds, id => id.StartsWith("InvalidInput,", StringComparison.Ordinal));
        Assert.False((bool)Assert.Single(vault.Invoke("Get-VaultStatus -Vault $v", ("v", vault.VaultPath))).Properties["IsLocked"].Value);
    }
}
