using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecureVault.PowerShell.Tests;

/// <summary>Add-VaultKeyslot and Remove-VaultKeyslot through the built module, with certificates made in the test.</summary>
[Collection(ModuleCollection.Name)]
public sealed class KeyslotCmdletTests(ModuleFixture fixture)
{
    /// <summary>A self-signed RSA certificate with its private key, valid now, whose key usage allows a certificate keyslot.</summary>
    private static X509Certificate2 SelfSigned(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DigitalSignature, critical: true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    [Fact]
    public void A_certificate_added_with_RequireBoth_is_needed_together_with_the_password()
    {
        using var vault = new HostedVault(fixture);
        using var certificate = SelfSigned("laptop");
        (string, object?) v = ("v", vault.VaultPath), c = ("c", certificate), p = ("p", HostedVault.Password);

        var whatIf = vault.Run("Add-VaultKeyslot -Vault $v -Certificate $c -RequireBoth -Password $p -WhatIf", v, c, p);
        Assert.Empty(whatIf.Errors);
        Assert.Equal("Password", Assert.Single(vault.Invoke("(Get-VaultPrincipal -Vault $v).Credentials", v)).BaseObject);

        var added = Assert.Single(vault.Invoke("Add-VaultKeyslot -Vault $v -Certificate $c -RequireBoth -Password $p", v, c, p));
        Assert.Equal(["Password+Certificate"], (string[])added.Properties["Credentials"].Value);
        vault.Invoke("Lock-Vault -Vault $v", v);

        var passwordOnly = vault.Run("Unlock-Vault -Vault $v -Password $p", v, p);
        Assert.StartsWith("AuthenticationFailed", passwordOnly.Terminating?.FullyQualifiedErrorId ?? passwordOnly.ErrorIds.Single());
        var certificateOnly = vault.Run("Unlock-Vault -Vault $v -Certificate $c", v, c);
        Assert.StartsWith("AuthenticationFailed", certificateOnly.Terminating?.FullyQualifiedErrorId ?? certificateOnly.ErrorIds.Single());
        var both = vault.Run("Unlock-Vault -Vault $v -Password $p -Certificate $c", v, p, c);
        Assert.Empty(both.Errors);
        Assert.Null(both.Terminating);
    }

    [Fact]
    public void A_keyslot_is_removed_by_piping_it_from_Get_VaultPrincipal_but_never_the_last_one()
    {
        using var vault = new HostedVault(fixture);
        using var certificate = SelfSigned("laptop");
        (string, object?) v = ("v", vault.VaultPath), c = ("c", certificate);
        vault.Invoke("$null = Add-VaultKeyslot -Vault $v -Certificate $c", v, c);
        Assert.Equal(["Password", "Certificate"], vault.Invoke("(Get-VaultPrincipal -Vault $v).Credentials", v).Select(o => (string)o.BaseObject));

        vault.Invoke("(Get-VaultPrincipal -Vault $v).Keyslots | Where-Object Kind -eq Certificate | Remove-VaultKeyslot -Vault $v -Confirm:$false", v);
        Assert.Equal(["Password"], vault.Invoke("(Get-VaultPrincipal -Vault $v).Credentials", v).Select(o => (string)o.BaseObject));

        var lastId = (Guid)Assert.Single(vault.Invoke("(Get-VaultPrincipal -Vault $v).Keyslots.Id", v)).BaseObject;
        var last = vault.Run("(Get-VaultPrincipal -Vault $v).Keyslots | Remove-VaultKeyslot -Vault $v -Confirm:$false", v);
        Assert.StartsWith("InvalidInput", Assert.Single(last.ErrorIds));
        // Refused, not removed: the password keyslot is still there and still unlocks.
        Assert.Equal(lastId, (Guid)Assert.Single(vault.Invoke("(Get-VaultPrincipal -Vault $v).Keyslots.Id", v)).BaseObject);
        vault.Invoke("Lock-Vault -Vault $v; Unlock-Vault -Vault $v -Password $p", v, ("p", HostedVault.Password));
        Assert.Equal("owner", Assert.Single(vault.Invoke("(Get-VaultStatus -Vault $v).Principal", v)).BaseObject);
    }

    [Fact]
    public void A_certificate_principal_adds_a_password_and_unlocks_with_either()
    {
        using var vault = new HostedVault(fixture);
        using var certificate = SelfSigned("job");
        (string, object?) v = ("v", vault.VaultPath), c = ("c", certificate), jp = ("jp", ModuleFixture.Secure("the job's fallback passphrase"));
        vault.Invoke("$null = New-VaultPrincipal -Vault $v -Name job -Role User -Certificate $c; Lock-Vault -Vault $v", v, c);
        vault.Invoke("Unlock-Vault -Vault $v -Certificate $c", v, c);
        var added = Assert.Single(vault.Invoke("Add-VaultKeyslot -Vault $v -Password $jp", v, jp));
        Assert.Equal(["Certificate", "Password"], (string[])added.Properties["Credentials"].Value);

        vault.Invoke("Lock-Vault -Vault $v; Unlock-Vault -Vault $v -Principal job -Password $jp", v, jp);
        Assert.Equal("job", Assert.Single(vault.Invoke("(Get-VaultStatus -Vault $v).Principal", v)).BaseObject);
        vault.Invoke("Lock-Vault -Vault $v; Unlock-Vault -Vault $v -Certificate $c", v, c);
        Assert.Equal("job", Assert.Single(vault.Invoke("(Get-VaultStatus -Vault $v).Principal", v)).BaseObject);
    }
}
