using System.Management.Automation;

namespace SecureVault.PowerShell.Tests;

/// <summary>
/// Import-VaultSecret against a stand-in Microsoft.PowerShell.SecretManagement module (Get-SecretInfo
/// and Get-Secret over an in-memory source vault, with SecretManagement's -AsPlainText rules).
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class ImportVaultSecretTests(ModuleFixture fixture)
{
    private const string StandInSecretManagement = """
        $source = @{
            'api/text'   = @{ Type = 'String'; Value = 'plain-value'; Metadata = @{ Description = 'imported'; Owner = 'ops' } }
            'api/bytes'  = @{ Type = 'ByteArray'; Value = [byte[]](1, 2, 3); Metadata = @{} }
            'db/secure'  = @{ Type = 'SecureString'; Value = [System.Net.NetworkCredential]::new('', 'secure-value').SecurePassword; Metadata = @{} }
        }
        $null = New-Module -Name Microsoft.PowerShell.SecretManagement -ArgumentList $source -ScriptBlock {
            param($source)
            function Get-SecretInfo([string] $Vault, [string] $Name = '*') {
                $keys = [string[]] @($source.Keys | Where-Object { $_ -like $Name })
                [Array]::Sort($keys)
                foreach ($key in $keys) {
                    [Microsoft.PowerShell.SecretManagement.SecretInformation]::new($key, $source[$key].Type, $Vault, [hashtable] $source[$key].Metadata)
                }
            }
            function Get-Secret([string] $Vault, [string] $Name, [switch] $AsPlainText) {
                $value = $source[$Name].Value
                if ($value -is [string] -and -not $AsPlainText) { return [System.Net.NetworkCredential]::new('', $value).SecurePassword }
                return ,$value
            }
        } | Import-Module -PassThru
        """;

    [Fact]
    public void Import_copies_every_secret_with_its_type_and_metadata_and_skips_existing_keys()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke(StandInSecretManagement);
        vault.Invoke("Set-VaultKey -Vault $v -Name db/secure -Value 'already here'", ("v", vault.VaultPath));

        var result = vault.Run("Import-VaultSecret -Vault $v -SourceVault Old -PassThru", ("v", vault.VaultPath));
        Assert.Empty(result.Errors);
        Assert.Equal(["api/bytes", "api/text"], result.Output.Select(o => (string)o.Properties["Name"].Value).Order());

        var types = vault.Invoke("Get-VaultKeyInfo -Vault $v | ForEach-Object { '{0}={1}' -f $_.Name, $_.Type }", ("v", vault.VaultPath)).Select(o => (string)o.BaseObject);
        Assert.Equal(["api/bytes=ByteArray", "api/text=String", "db/secure=String"], types); // db/secure kept: skipped
        Assert.Equal("plain-value", Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name api/text -AsPlainText", ("v", vault.VaultPath))).BaseObject);
        Assert.Equal(new byte[] { 1, 2, 3 }, Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name api/bytes", ("v", vault.VaultPath))).BaseObject);
        var info = Assert.Single(vault.Invoke("Get-VaultKeyInfo -Vault $v -Name api/text", ("v", vault.VaultPath)));
        Assert.Equal("imported", info.Properties["Description"].Value);
        Assert.Equal("ops", ((IReadOnlyDictionary<string, object>)info.Properties["Fields"].Value)["Owner"]);

        vault.Invoke("Import-VaultSecret -Vault $v -SourceVault Old -Name 'db/*' -Force", ("v", vault.VaultPath));
        Assert.Equal("secure-value", Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name db/secure -AsPlainText", ("v", vault.VaultPath))).BaseObject);
        Assert.Equal(2, Assert.Single(vault.Invoke("Get-VaultKeyInfo -Vault $v -Name db/secure", ("v", vault.VaultPath))).Properties["Version"].Value);
    }

    [Fact]
    public void Import_with_WhatIf_writes_nothing()
    {
        using var vault = new HostedVault(fixture);
        vault.Invoke(StandInSecretManagement);
        vault.Invoke("Import-VaultSecret -Vault $v -SourceVault Old -WhatIf", ("v", vault.VaultPath));
        Assert.Empty(vault.Invoke("Get-VaultKeyInfo -Vault $v", ("v", vault.VaultPath)));
    }
}
