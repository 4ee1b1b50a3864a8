using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SecureVault.Rotation;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>
/// A test vault on a manual clock for the rotation tests. Keys fall due after weeks, and a session
/// idles out after minutes, so moving the clock unlocks again as whoever was unlocked before.
/// </summary>
internal sealed class RotationVault : IDisposable
{
    public static readonly byte[] BobPassword = Encoding.UTF8.GetBytes("bob's own long passphrase");
    public static readonly byte[] VeraPassword = Encoding.UTF8.GetBytes("vera's own long passphrase");
    public static readonly byte[] CarolPassword = Encoding.UTF8.GetBytes("carol's own long passphrase");

    private Action _unlockAgain;

    public RotationVault()
    {
        Vault = new TestVault(Clock);
        Start = Clock.UtcNow;
        _unlockAgain = () => Engine.Unlock(TestVault.Password, "owner");
    }

    public ManualClock Clock { get; } = new();
    public TestVault Vault { get; }
    public VaultEngine Engine => Vault.Engine;

    /// <summary>When the vault was created (the manual clock's start).</summary>
    public DateTimeOffset Start { get; }

    /// <summary>The manual clock's time now, as the engine reports times (UTC DateTime).</summary>
    public DateTime Now => Clock.UtcNow.UtcDateTime;

    /// <summary>Ends the current session and opens one as <paramref name="name"/>; later clock moves unlock as it again.</summary>
    public VaultEngine As(string name, byte[] password)
    {
        Engine.Lock();
        _unlockAgain = () => Engine.Unlock(password, name);
        _unlockAgain();
        return Engine;
    }

    public VaultEngine AsOwner() => As("owner", TestVault.Password);

    /// <summary>Ends the current session and opens one with a certificate (its principal is the one it was enrolled for).</summary>
    public VaultEngine As(X509Certificate2 certificate)
    {
        Engine.Lock();
        _unlockAgain = () => Engine.UnlockWithCertificate(certificate);
        _unlockAgain();
        return Engine;
    }

    /// <summary>Moves the clock, then unlocks again as the same principal (the old session has idled out or is about to).</summary>
    public void Advance(TimeSpan by)
    {
        Clock.Advance(by);
        Engine.Lock();
        _unlockAgain();
    }

    public void AdvanceDays(double days) => Advance(TimeSpan.FromDays(days));

    /// <summary>Moves the clock to <paramref name="sinceStart"/> after the vault's creation.</summary>
    public void AdvanceTo(TimeSpan sinceStart)
    {
        var by = Start + sinceStart - Clock.UtcNow;
        Assert.True(by >= TimeSpan.Zero, "the manual clock only moves forward");
        Advance(by);
    }

    /// <summary>One key's rotation status.</summary>
    public VaultRotationStatus Status(string name) => Assert.Single(Engine.GetRotationStatus(name));

    public RotationState State(string name) => Status(name).State;

    public VaultKeyInfo Write(string name, string text, KeyUpdate? update = null) => Secrets.WriteText(Engine, name, text, update);

    /// <summary>Rotates a key to a new text value through UpdateKey.</summary>
    public VaultKeyInfo Rotate(string name, string text)
    {
        using var value = SecretText.FromString(text);
        return Engine.UpdateKey(name, value);
    }

    /// <summary>Reads a key's text and collects every warning the read gives.</summary>
    public string Read(string name, List<string> warnings, int? version = null)
    {
        using var value = Engine.GetKey(name, version, warning => warnings.Add(warning.Message));
        return Assert.IsType<SecretText>(value).ToPlainString();
    }

    /// <summary>The audit records written after <paramref name="afterSeq"/>, oldest first.</summary>
    public IReadOnlyList<VaultAuditRecord> AuditSince(long afterSeq) =>
        Engine.GetAuditLog().Where(r => r.Seq > afterSeq).ToList();

    public long LastSeq() => Engine.GetAuditLog().Max(r => r.Seq);

    /// <summary>A self-signed RSA certificate valid for years around the manual clock's time.</summary>
    public X509Certificate2 NewCertificate(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DigitalSignature, critical: true));
        return request.CreateSelfSigned(Clock.UtcNow.AddDays(-1), Clock.UtcNow.AddYears(5));
    }

    public void Dispose() => Vault.Dispose();
}
