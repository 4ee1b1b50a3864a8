using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SecureVault.Identity;
using SecureVault.Memory;

namespace SecureVault.Tests;

/// <summary>
/// A principal's keyslots: a certificate added beside a password, a password and a certificate
/// required together (the password-only keyslot goes), removal, and a removed keyslot put back
/// from an older copy of the file.
/// </summary>
public sealed class KeyslotTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly TestVault _vault;
    private readonly X509Certificate2 _certificate;

    public KeyslotTests()
    {
        _vault = new TestVault(_clock);
        _certificate = SelfSigned("owner's laptop");
    }

    public void Dispose()
    {
        _certificate.Dispose();
        _vault.Dispose();
    }

    private VaultEngine Engine => _vault.Engine;

    private X509Certificate2 SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyAgreement | X509KeyUsageFlags.DigitalSignature, critical: true));
        return request.CreateSelfSigned(_clock.UtcNow.AddDays(-1), _clock.UtcNow.AddYears(1));
    }

    [Fact]
    public void A_certificate_keyslot_beside_the_password_lets_either_unlock()
    {
        var info = Engine.AddCertificateKeyslot(_certificate);
        Assert.Equal(["Password", "Certificate"], info.Credentials);
        Engine.Lock();
        Engine.UnlockWithCertificate(_certificate);
        Assert.Equal("owner", Engine.GetStatus().Principal);
        Engine.Lock();
        Engine.Unlock(TestVault.Password);
        Assert.Throws<VaultInvalidInputException>(() => Engine.AddCertificateKeyslot(_certificate)); // already enrolled
    }

    [Fact]
    public void With_RequireBoth_neither_the_password_nor_the_certificate_alone_unlocks()
    {
        Assert.Throws<VaultAuthenticationException>(() => Engine.AddCertificateKeyslot(_certificate, requireBoth: true, TestVault.WrongPassword));
        var info = Engine.AddCertificateKeyslot(_certificate, requireBoth: true, TestVault.Password);
        Assert.Equal(["Password+Certificate"], info.Credentials);
        Engine.Lock();

        var passwordOnly = Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock(TestVault.Password));
        Assert.Contains("-Certificate as well", passwordOnly.Message);
        Assert.Throws<VaultAuthenticationException>(() => Engine.UnlockWithCertificate(_certificate, "owner"));
        using var other = SelfSigned("someone else");
        Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock(TestVault.Password, certificate: other));
        Engine.Unlock(TestVault.Password, certificate: _certificate);
        Assert.Equal("owner", Engine.GetStatus().Principal);

        _vault.Release();
        using var file = new RawVaultFile(_vault.Path);
        Assert.Equal([(long)KeyslotKinds.PasswordAndCertificate], file.Rows("SELECT kind FROM keyslots").Select(r => (long)r[0]!));
    }

    [Fact]
    public void A_password_keyslot_put_back_from_an_older_copy_is_refused()
    {
        object?[] old;
        _vault.Release();
        using (var file = new RawVaultFile(_vault.Path))
            old = file.Rows("SELECT keyslot_id, principal_id, kind, kdf, verifier, nonce, sealed, tag, updated_ms FROM keyslots").Single();
        Engine.Lock();
        var engine = _vault.Reopen();
        engine.Unlock(TestVault.Password);
        engine.AddCertificateKeyslot(_certificate, requireBoth: true, TestVault.Password);

        engine = _vault.Modify(f => f.Execute(
            "INSERT INTO keyslots (keyslot_id, principal_id, kind, kdf, verifier, nonce, sealed, tag, updated_ms) VALUES ($a0, $a1, $a2, $a3, $a4, $a5, $a6, $a7, $a8)",
            old!));

        var refused = Assert.Throws<VaultIntegrityException>(() => engine.Unlock(TestVault.Password));
        Assert.Contains("removed", refused.Message);
        engine.Unlock(TestVault.Password, certificate: _certificate);
    }

    [Fact]
    public void The_last_keyslot_cannot_be_removed_and_an_Admin_removes_a_lost_certificate()
    {
        var only = Engine.GetPrincipals("owner").Single().Keyslots.Single();
        Assert.Contains("last keyslot", Assert.Throws<VaultInvalidInputException>(() => Engine.RemoveKeyslot(only.Id)).Message);

        using var jobCertificate = SelfSigned("job");
        Engine.NewPrincipal("job", Role.User, jobCertificate);
        Engine.Lock();
        Engine.UnlockWithCertificate(jobCertificate);
        using var password = SecureText.ToUtf8("the job's fallback passphrase");
        Assert.Equal(["Certificate", "Password"], Engine.AddPasswordKeyslot(password.ReadOnlySpan).Credentials);
        var lost = Engine.GetPrincipals("job").Single().Keyslots.Single(k => k.Kind == "Certificate");
        Assert.Equal("manage-principals", Assert.Throws<VaultAccessDeniedException>(() => Engine.RemoveKeyslot(only.Id, "owner")).Permission);
        Engine.Lock();

        Engine.Unlock(TestVault.Password, "owner");
        Assert.Equal(["Password"], Engine.RemoveKeyslot(lost.Id, "job").Credentials);
        Engine.Lock();
        Assert.Throws<VaultAuthenticationException>(() => Engine.UnlockWithCertificate(jobCertificate, "job"));
        Engine.Unlock(password.ReadOnlySpan, "job");
        Assert.Equal("job", Engine.GetStatus().Principal);
    }

    [Fact]
    public void With_MFA_on_a_password_of_8_characters_is_enough()
    {
        var shortPassword = Encoding.UTF8.GetBytes("Tr0ub4dor&9");
        Assert.Throws<VaultInvalidInputException>(() => Engine.ChangePassword(TestVault.Password, shortPassword));
        var secret = TestAuthenticator.SecretOf(Engine.EnableMfa());
        Engine.ConfirmMfa(Totp.Code(secret, Totp.StepAt(_clock.UtcNow)).ToString("D6"));

        Engine.ChangePassword(TestVault.Password, shortPassword);
        Engine.Lock();
        _clock.Advance(TimeSpan.FromSeconds(30));
        Engine.Unlock(shortPassword, totp: Totp.Code(secret, Totp.StepAt(_clock.UtcNow)).ToString("D6"));
    }

    [Fact]
    public void RequireBoth_also_removes_a_certificate_only_keyslot_of_the_same_certificate()
    {
        Engine.AddCertificateKeyslot(_certificate);
        Assert.Equal(["Password+Certificate"], Engine.AddCertificateKeyslot(_certificate, requireBoth: true, TestVault.Password).Credentials);
        Engine.Lock();
        Assert.Throws<VaultAuthenticationException>(() => Engine.UnlockWithCertificate(_certificate, "owner"));
    }

    [Fact]
    public void Wrong_passwords_given_to_RequireBoth_count_toward_the_lockout()
    {
        for (int i = 0; i < LockoutPolicy.MaxFailures; i++)
            Assert.Throws<VaultAuthenticationException>(() => Engine.AddCertificateKeyslot(_certificate, requireBoth: true, TestVault.WrongPassword));
        Assert.Throws<VaultPrincipalLockedOutException>(() => Engine.AddCertificateKeyslot(_certificate, requireBoth: true, TestVault.Password));
        Engine.Lock();
        Assert.Throws<VaultPrincipalLockedOutException>(() => Engine.Unlock(TestVault.Password));
    }
}
