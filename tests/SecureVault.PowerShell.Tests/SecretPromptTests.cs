using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace SecureVault.PowerShell.Tests;

/// <summary>
/// A secret left out of the command line is asked for masked (the host's ReadLineAsSecureString,
/// or a Prompt field of type SecureString, which a console reads masked), never with ReadLine,
/// which echoes; and where the host cannot ask, the error says which parameter to pass.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class SecretPromptTests(ModuleFixture fixture)
{
    private const string Typed = "typed-secret-4711";

    /// <summary>Runs a script in a runspace of the recording host; returns its errors (terminating ones included).</summary>
    private List<ErrorRecord> RunOn(RecordingHost host, string script, params (string Name, object? Value)[] variables)
    {
        using var runspace = fixture.NewRunspace(host);
        using var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = runspace;
        foreach (var (name, value) in variables) runspace.SessionStateProxy.SetVariable(name, value);
        ps.AddScript(script);
        try
        {
            ps.Invoke();
            return ps.Streams.Error.ToList();
        }
        catch (RuntimeException e)
        {
            return [.. ps.Streams.Error, e.ErrorRecord];
        }
    }

    [Theory]
    [InlineData("Set-VaultKey -Vault $v -Name prompted", "Value for key 'prompted': ")]
    [InlineData("Set-VaultKey -Vault $v -Name existing", "Value for key 'existing': ")]
    [InlineData("Update-VaultKey -Vault $v -Name existing", "New value for key 'existing': ")]
    [InlineData("& (Get-Module SecureVault) 'SecureVault.Extension\\Set-Secret' -Name prompted -VaultName Team -AdditionalParameters @{ Vault = $v }", "Secret for 'prompted': ")]
    public void A_missing_value_is_read_masked_with_a_label_and_stored_as_SecureString(string command, string label)
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("Set-VaultKey -Vault $v -Name existing -Value 'old value'", ("v", vault.VaultPath));
        var host = new RecordingHost();
        host.Typed.Enqueue(Typed);

        var errors = RunOn(host, command, ("v", vault.VaultPath));

        Assert.Empty(errors.Select(e => e.FullyQualifiedErrorId));
        Assert.Equal(["ReadLineAsSecureString"], host.Calls);
        Assert.Contains(label, host.Screen);
        Assert.DoesNotContain(Typed, host.Screen);
        var name = command.Contains("prompted") ? "prompted" : "existing";
        Assert.Equal(Typed, Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name $n -AsPlainText", ("v", vault.VaultPath), ("n", name))).BaseObject);
        Assert.Equal("SecureString", Assert.Single(vault.Invoke("(Get-VaultKeyInfo -Vault $v -Name $n).Type.ToString()", ("v", vault.VaultPath), ("n", name))).BaseObject);
    }

    [Theory]
    [InlineData("Set-VaultKey -Vault $v -Name prompted")]
    [InlineData("Update-VaultKey -Vault $v -Name existing")]
    public void Without_a_host_that_can_ask_a_missing_value_is_InvalidInput_saying_to_pass_Value(string command)
    {
        using var vault = new HostedVault(fixture); // PowerShell's default host: no UI
        vault.Invoke("Set-VaultKey -Vault $v -Name existing -Value 'old value'", ("v", vault.VaultPath));

        var result = vault.Run(command, ("v", vault.VaultPath));

        var error = Assert.Single(result.Errors.Concat(result.Terminating is { } t ? [t] : []));
        Assert.StartsWith("InvalidInput,", error.FullyQualifiedErrorId);
        Assert.Contains("pass -Value", error.ToString());
        Assert.Contains(vault.Run("Get-VaultKeyInfo -Vault $v -Name prompted", ("v", vault.VaultPath)).ErrorIds,
            id => id.StartsWith("KeyNotFound,", StringComparison.Ordinal));
        Assert.Equal("old value", Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name existing -AsPlainText", ("v", vault.VaultPath))).BaseObject);
    }

    [Fact]
    public void A_locked_vault_is_VaultLocked_before_anything_is_asked()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke("Lock-Vault -Vault $v", ("v", vault.VaultPath));
        var host = new RecordingHost();
        host.Typed.Enqueue(Typed);

        var errors = RunOn(host, "Set-VaultKey -Vault $v -Name prompted", ("v", vault.VaultPath));

        Assert.StartsWith("VaultLocked,", Assert.Single(errors).FullyQualifiedErrorId);
        Assert.Empty(host.Calls);
        Assert.DoesNotContain("Value for key", host.Screen);
        vault.Invoke("Unlock-Vault -Vault $v -Password $p", ("v", vault.VaultPath), ("p", HostedVault.Password));
    }

    [Fact]
    public void Missing_passwords_are_asked_for_as_SecureString_fields_never_with_ReadLine()
    {
        using var vault = new HostedVault(fixture);
        var newPath = fixture.NewVaultPath();
        var host = new RecordingHost();
        foreach (var line in new[] { HostedVault.PasswordText, HostedVault.PasswordText, HostedVault.PasswordText, "a new password 4711" })
            host.Typed.Enqueue(line);

        var errors = RunOn(host, """
            $null = New-Vault -Vault $n -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1
            Lock-Vault -Vault $v
            Unlock-Vault -Vault $v
            Set-VaultPassword -Vault $v -Confirm:$false
            Lock-Vault -Vault $n
            """, ("v", vault.VaultPath), ("n", newPath));

        Assert.Empty(errors.Select(e => e.FullyQualifiedErrorId));
        Assert.Equal(Enumerable.Repeat("Prompt:System.Security.SecureString", 4), host.Calls.Where(c => c != "ReadLineAsSecureString"));
        Assert.DoesNotContain("ReadLine", host.Calls);
        Assert.DoesNotContain(HostedVault.PasswordText, host.Screen);
        Assert.DoesNotContain("a new password 4711", host.Screen);
    }

    [Theory]
    [InlineData("New-VaultPrincipal -Vault $v -Name bob -Role User")]
    [InlineData("Add-VaultKeyslot -Vault $v")]
    public void The_password_of_a_principal_or_keyslot_is_asked_for_as_a_SecureString_field(string command)
    {
        using var vault = new HostedVault(fixture);
        var host = new RecordingHost();
        host.Typed.Enqueue("bob has his own long passphrase");

        // Only how PowerShell asks matters here: Add-VaultKeyslot may then refuse the keyslot.
        RunOn(host, command, ("v", vault.VaultPath));

        Assert.Equal(["Prompt:System.Security.SecureString", "ReadLineAsSecureString"], host.Calls);
        Assert.DoesNotContain("bob has his own long passphrase", host.Screen);
    }
}
