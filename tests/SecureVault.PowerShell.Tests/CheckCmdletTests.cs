using System.Collections;
using System.Management.Automation;
using Microsoft.Data.Sqlite;

namespace SecureVault.PowerShell.Tests;

/// <summary>
/// Test-Vault end to end on the built module: $true on a consistent vault; $false with a warning
/// per finding, and the report with -Detailed, when a version row was deleted from the file; and
/// the read of that version is an integrity violation, not KeyVersionNotFound.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class CheckCmdletTests(ModuleFixture fixture)
{
    [Fact]
    public void Test_Vault_is_true_on_a_consistent_vault_and_false_with_a_warning_per_finding_after_a_version_row_is_deleted()
    {
        using var vault = new HostedVault(fixture);
        var v = ("v", (object?)vault.VaultPath);
        vault.Invoke("Set-VaultKey -Vault $v -Name k -Value 'one'; Set-VaultKey -Vault $v -Name k -Value 'two'", v);

        var clean = vault.Run("Test-Vault -Vault $v", v);
        Assert.Empty(clean.ErrorIds);
        Assert.Empty(clean.Warnings);
        Assert.True(Assert.IsType<bool>(Assert.Single(clean.Output).BaseObject));

        vault.Invoke("Lock-Vault -Vault $v", v);
        DeleteVersion(vault.VaultPath, 1);
        vault.Invoke("Unlock-Vault -Vault $v -Password $p", v, ("p", HostedVault.Password));

        var broken = vault.Run("Test-Vault -Vault $v", v);
        Assert.Empty(broken.ErrorIds);
        Assert.False(Assert.IsType<bool>(Assert.Single(broken.Output).BaseObject));
        Assert.Contains(broken.Warnings, w => w.Contains("Missing secret_versions 'k' version 1", StringComparison.Ordinal));
        Assert.Contains(broken.Warnings, w => w.Contains("Restore-Vault", StringComparison.Ordinal));

        var report = Assert.Single(vault.Invoke("Test-Vault -Vault $v -Detailed", v));
        Assert.Equal("SecureVault.VaultCheckReport", report.BaseObject.GetType().FullName);
        Assert.False((bool)report.Properties["IsConsistent"].Value);
        var finding = PSObject.AsPSObject(Assert.Single((IEnumerable)report.Properties["Findings"].Value));
        Assert.Equal("Missing", finding.Properties["Kind"].Value.ToString());
        Assert.Equal("secret_versions", finding.Properties["Table"].Value);
        Assert.Equal("k", finding.Properties["Name"].Value);
        Assert.Equal(1, finding.Properties["Version"].Value);
        Assert.Equal(1L, report.Properties["KeysChecked"].Value);
        Assert.Equal(1L, report.Properties["VersionsChecked"].Value);
        Assert.True((TimeSpan)report.Properties["Duration"].Value > TimeSpan.Zero);

        var read = vault.Run("Get-VaultKey -Vault $v -Name k -Version 1 -AsPlainText", v);
        Assert.Empty(read.Output);
        Assert.Contains(read.ErrorIds, id => id.StartsWith("IntegrityViolation,", StringComparison.Ordinal));
    }

    [Fact]
    public void Test_Vault_on_a_locked_vault_says_it_is_locked()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("Lock-Vault -Vault $v", ("v", vault.VaultPath));

        var result = vault.Run("Test-Vault -Vault $v", ("v", vault.VaultPath));
        Assert.Empty(result.Output);
        Assert.Contains(result.ErrorIds, id => id.StartsWith("VaultLocked,", StringComparison.Ordinal));
    }

    private static void DeleteVersion(string path, int version)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM secret_versions WHERE version = $n";
        command.Parameters.AddWithValue("$n", version);
        Assert.Equal(1, command.ExecuteNonQuery());
    }
}
