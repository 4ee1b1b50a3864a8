using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SecureVault.Access;
using SecureVault.Identity;
using SecureVault.Memory;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>
/// Unlocking with a second factor (TOTP) and with a certificate instead of a password, through the
/// engine: enrolment, confirmation, replay, and a certificate principal for unattended jobs.
/// </summary>
public sealed class MfaAndCertificateUnlockTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly TestVault _vault;

    public MfaAndCertificateUnlockTests() => _vault = new TestVault(_clock);

    public void Dispose() => _vault.Dispose();

    private VaultEngine Engine => _vault.Engine;

    private string CodeNow(byte[] secret, int stepOffset = 0) =>
        Totp.Code(secret, Totp.StepAt(_clock.UtcNow) + stepOffset).ToString("D6");

    private byte[] EnrolOwner()
    {
        var enrolment = Engine.EnableMfa();
        Assert.StartsWith("otpauth://", Encoding.ASCII.GetString(SecureText.ToUtf8(enrolment.OtpAuthUri).ToArray()));
        Assert.True(enrolment.RenderQrCode().Split('\n').Length > 10);
        // The QR code encodes the secret: no string of the enrolment holds it until it is drawn.
        Assert.Equal(["Principal", "Vault"], typeof(MfaEnrolment).GetProperties().Where(p => p.PropertyType == typeof(string)).Select(p => p.Name).Order());
        var secret = TestAuthenticator.SecretOf(enrolment);
        Assert.True(Engine.ConfirmMfa(CodeNow(secret)).MfaEnabled);
        return secret;
    }

    [Fact]
    public void Enrolment_is_pending_until_a_valid_code_confirms_it()
    {
        var enrolment = Engine.EnableMfa();
        Assert.False(Engine.GetPrincipals("owner").Single().MfaEnabled);
        Assert.Throws<VaultInvalidInputException>(() => Engine.ConfirmMfa(CodeNow(TestAuthenticator.SecretOf(enrolment), stepOffset: 5)));
        Engine.Lock();
        Engine.Unlock(TestVault.Password); // still no second factor: enrolment was never confirmed
        Assert.True(Engine.ConfirmMfa(CodeNow(TestAuthenticator.SecretOf(enrolment))).MfaEnabled);
    }

    [Fact]
    public void With_MFA_on_unlock_needs_a_fresh_code_and_a_code_is_accepted_once()
    {
        var secret = EnrolOwner();
        _clock.Advance(TimeSpan.FromSeconds(30));
        Engine.Lock();

        Assert.Equal("MfaRequired", Assert.Throws<VaultMfaRequiredException>(() => Engine.Unlock(TestVault.Password)).ErrorId);
        Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock(TestVault.Password, totp: CodeNow(secret, stepOffset: 3)));
        Engine.Unlock(TestVault.Password, totp: CodeNow(secret));
        Engine.Lock();
        Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock(TestVault.Password, totp: CodeNow(secret))); // replayed
        _clock.Advance(TimeSpan.FromSeconds(30));
        Engine.Unlock(TestVault.Password, totp: CodeNow(secret));
        var records = Engine.GetAuditLog().Where(r => r.Action == "unlock").Select(r => (r.Outcome, r.Reason)).ToList();
        Assert.Contains(("denied", "MfaRequired"), records);
        Assert.Equal(2, records.Count(r => r == ("denied", "AuthenticationFailed")));
    }

    [Fact]
    public void A_wrong_code_counts_toward_the_lockout()
    {
        var secret = EnrolOwner();
        Engine.Lock();
        for (int i = 0; i < LockoutPolicy.MaxFailures; i++)
            Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock(TestVault.Password, totp: CodeNow(secret, stepOffset: 7)));
        Assert.Throws<VaultPrincipalLockedOutException>(() => Engine.Unlock(TestVault.Password, totp: CodeNow(secret)));
    }

    [Fact]
    public void The_right_password_without_its_code_is_not_counted_as_a_guess()
    {
        // Every attempt is counted before the KDF; one whose password proved itself is taken back.
        var secret = EnrolOwner();
        Engine.Lock();
        for (int i = 0; i < LockoutPolicy.MaxFailures + 2; i++)
            Assert.Throws<VaultMfaRequiredException>(() => Engine.Unlock(TestVault.Password));
        _clock.Advance(TimeSpan.FromSeconds(30)); // the enrolment used the current code
        Engine.Unlock(TestVault.Password, totp: CodeNow(secret));
        Assert.True(Engine.IsUnlocked);
    }

    [Fact]
    public void MFA_is_turned_off_with_a_current_code_or_by_an_Admin()
    {
        var secret = EnrolOwner();
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Throws<VaultAuthenticationException>(() => Engine.DisableMfa(code: CodeNow(secret, stepOffset: 4)));
        Assert.False(Engine.DisableMfa(code: CodeNow(secret)).MfaEnabled);
        Engine.Lock();
        Engine.Unlock(TestVault.Password);
    }

    private X509Certificate2 SelfSignedCertificate(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DigitalSignature, critical: true));
        return request.CreateSelfSigned(_clock.UtcNow.AddDays(-1), _clock.UtcNow.AddYears(1)); // valid at the vault's (manual) time
    }

    [Fact]
    public void A_certificate_principal_unlocks_without_any_password()
    {
        using var certificate = SelfSignedCertificate("rotation-job");
        Engine.NewPrincipal("rotation-job", Role.User, certificate);
        Assert.Equal(["Certificate"], Engine.GetPrincipals("rotation-job").Single().Credentials);
        Engine.Lock();

        Engine.UnlockWithCertificate(certificate); // the certificate names its principal
        Assert.Equal("rotation-job", Engine.GetStatus().Principal);
        Secrets.WriteText(Engine, "job-key", "written by the job");
        Secrets.AssertText("written by the job", SecretValueType.String, Engine.GetKey("job-key"));
        Engine.Lock();

        using var other = SelfSignedCertificate("someone else");
        Assert.Throws<VaultAuthenticationException>(() => Engine.UnlockWithCertificate(other, "rotation-job"));
        using var publicOnly = X509CertificateLoader.LoadCertificate(certificate.RawData);
        Assert.Throws<VaultInvalidInputException>(() => Engine.UnlockWithCertificate(publicOnly));
        Assert.Throws<VaultAuthenticationException>(() => Engine.Unlock(TestVault.Password, "rotation-job"));
    }

    [Fact]
    public void A_certificate_from_a_password_protected_PFX_file_unlocks_its_principal()
    {
        using var certificate = SelfSignedCertificate("backup-job");
        Engine.NewPrincipal("backup-job", Role.Viewer, certificate);
        var pfx = Path.Combine(_vault.Folder, "job.pfx");
        File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pfx, "pfx password"));
        Engine.Lock();

        using var loaded = X509CertificateLoader.LoadPkcs12FromFile(pfx, "pfx password");
        Engine.UnlockWithCertificate(loaded);
        Assert.Equal(("backup-job", "Viewer"), (Engine.GetStatus().Principal, Engine.GetStatus().Role));
    }
}
