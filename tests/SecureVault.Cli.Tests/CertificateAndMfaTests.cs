using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SecureVault.Identity;
using SecureVault.Memory;

namespace SecureVault.Cli.Tests;

/// <summary>
/// A scheduled job unlocking with --certificate and no password, and --totp for a principal with
/// MFA on, each as a real process. The principal and the enrolment are made with the engine here,
/// as an Admin would with the cmdlets.
/// </summary>
public sealed class CertificateAndMfaTests : IDisposable
{
    private readonly CliSandbox _box = new();

    public void Dispose()
    {
        VaultEngine.LockAll();
        _box.Dispose();
    }

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>Runs <paramref name="work"/> as the owner in this process, then locks (the CLI processes open the file themselves).</summary>
    private T AsOwner<T>(Func<VaultEngine, T> work)
    {
        var engine = VaultEngine.Open(_box.VaultPath);
        engine.Unlock(Encoding.UTF8.GetBytes(CliSandbox.Password), "owner");
        try
        {
            return work(engine);
        }
        finally
        {
            engine.Lock();
        }
    }

    [Fact]
    public async Task A_job_with_a_certificate_file_reads_and_writes_without_any_password()
    {
        CliSandbox.Succeeded(await _box.Run(CliSandbox.Password + "\n", ["init", "--principal", "owner", "--password-stdin", .. CliSandbox.CheapKdf]));
        using var certificate = SelfSigned("nightly-rotation");
        AsOwner(e => e.NewPrincipal("nightly-rotation", Role.User, certificate));
        var pfx = Path.Combine(_box.Folder, "job.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx));

        CliSandbox.Succeeded(await _box.Run("rotated value", "set", "job-key", "--certificate", pfx));
        var read = CliSandbox.Succeeded(await _box.Run("", "get", "job-key", "--certificate", pfx));
        Assert.Equal("rotated value\n", read.StdoutText); // get ends the text with a newline

        using var other = SelfSigned("someone else");
        var otherPfx = Path.Combine(_box.Folder, "other.pfx");
        await File.WriteAllBytesAsync(otherPfx, other.Export(X509ContentType.Pfx));
        CliSandbox.Failed(await _box.Run("", "get", "job-key", "--certificate", otherPfx), ExitCode.Authentication);
        var denied = CliSandbox.Failed(await _box.Run("", "get", "missing-for-job", "--certificate", pfx), ExitCode.NotFound);
        Assert.Empty(denied.Stdout);
    }

    [Fact]
    public async Task With_MFA_on_the_tool_needs_a_fresh_code_and_refuses_it_twice()
    {
        CliSandbox.Succeeded(await _box.Run(CliSandbox.Password + "\n", ["init", "--principal", "owner", "--password-stdin", .. CliSandbox.CheapKdf]));
        var secret = AsOwner(e =>
        {
            var enrolment = e.EnableMfa();
            using var uri = SecureText.ToUtf8(enrolment.OtpAuthUri);
            var base32 = Encoding.ASCII.GetString(uri.ReadOnlySpan).Split("secret=")[1].Split('&')[0];
            var bits = string.Concat(base32.Select(c => Convert.ToString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".IndexOf(c), 2).PadLeft(5, '0')));
            var bytes = Enumerable.Range(0, bits.Length / 8).Select(i => Convert.ToByte(bits.Substring(i * 8, 8), 2)).ToArray();
            e.ConfirmMfa(Totp.Code(bytes, Totp.StepAt(DateTimeOffset.UtcNow)).ToString("D6"));
            return bytes;
        });
        var missing = CliSandbox.Failed(await _box.WithPassword("", "list"), ExitCode.Authentication);
        Assert.Contains("one-time code", missing.Stderr);
        // The confirming code used this step; the next step's code is inside the +-1 window and not used yet.
        var code = Totp.Code(secret, Totp.StepAt(DateTimeOffset.UtcNow) + 1).ToString("D6");
        CliSandbox.Succeeded(await _box.WithPassword("", "list", "--totp", code));
        CliSandbox.Failed(await _box.WithPassword("", "list", "--totp", code), ExitCode.Authentication); // the same code again
    }
}
