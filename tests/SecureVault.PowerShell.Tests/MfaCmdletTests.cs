using System.Buffers.Binary;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;

namespace SecureVault.PowerShell.Tests;

/// <summary>
/// The second factor and certificate unlock through the cmdlets: Enable-VaultMfa (enrolment, QR code
/// on the host, the URI as SecureString or, when asked, as a string), confirmation, Unlock-Vault -Totp
/// with MfaRequired, wrong and replayed codes, Disable-VaultMfa by the principal (with a code) and by
/// an Admin, and Unlock-Vault with a certificate object, a PFX file and a thumbprint.
/// </summary>
/// <remarks>
/// The vault checks codes against the real clock. The test's authenticator (<see cref="Authenticator"/>)
/// therefore computes codes the way an app does, for steps the vault accepts now, and never uses more
/// than three per device in one 30-second window, so no test waits for the clock except, at most a few
/// seconds, to keep a code off the edge of its window.
/// </remarks>
[Collection(ModuleCollection.Name)]
public sealed class MfaCmdletTests(ModuleFixture fixture)
{
    private const string Commands = "SecureVault.PowerShell.Commands.";
    private const string BobPasswordText = "bob has his own long passphrase";
    private static SecureString BobPassword => ModuleFixture.Secure(BobPasswordText);

    [Fact]
    public void Enrolment_shows_the_QR_code_on_the_host_returns_the_URI_as_SecureString_and_a_code_confirms_it()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);

        // *>&1: every stream joins the output, so a QR code in any stream would be a second object.
        var started = RunOnScreen("Enable-VaultMfa -Vault $v *>&1", v);
        Assert.Empty(started.ErrorIds);
        var enrolment = Assert.Single(started.Output);
        Assert.Equal("SecureVault.PowerShell.VaultMfaEnrolment", enrolment.BaseObject.GetType().FullName);
        Assert.Equal(("owner", vault.VaultPath), ((string)enrolment.Properties["Principal"].Value, (string)enrolment.Properties["Vault"].Value));
        var uri = new NetworkCredential("", Assert.IsType<SecureString>(enrolment.Properties["OtpAuthUri"].Value)).Password;
        Assert.StartsWith("otpauth://totp/SecureVault:owner?secret=", uri, StringComparison.Ordinal);
        Assert.Contains("Enable-VaultMfa", (string)enrolment.Properties["Instructions"].Value);
        Assert.Contains("-Code", (string)enrolment.Properties["Instructions"].Value);

        // The QR code goes to the host's screen only: no stream, and no property of the object, carries it or the secret.
        Assert.Empty(started.Information);
        var qr = QrLines(started.Screen);
        Assert.True(qr.Count >= 10, "The QR code was not drawn on the screen:\n" + started.Screen);
        Assert.Contains("Enable-VaultMfa", started.Screen);
        Assert.DoesNotContain(uri, started.Screen);
        Assert.Null(enrolment.Properties["QrCode"]);
        var carried = StringsIn(enrolment).ToList();
        Assert.NotEmpty(carried);
        Assert.DoesNotContain(carried, text => text.Contains(SecretOf(uri), StringComparison.OrdinalIgnoreCase) || qr.Any(line => text.Contains(line.Trim(), StringComparison.Ordinal)));

        // Pending: no second factor yet, and a code from another secret does not confirm it.
        Assert.False(MfaEnabled(vault, "owner"));
        ActAs(vault, "owner", HostedVault.Password);
        var device = Authenticator.FromUri(uri);
        AssertError(vault.Run("Enable-VaultMfa -Vault $v -Code $c", v, ("c", device.Wrong())), "InvalidInput", "EnableVaultMfaCommand");
        AssertError(vault.Run("Enable-VaultMfa -Vault $v -Code 'abc'", v), "InvalidInput", "EnableVaultMfaCommand");
        Assert.False(MfaEnabled(vault, "owner"));

        var confirmed = Assert.Single(vault.Invoke("Enable-VaultMfa -Vault $v -Code $c", v, ("c", device.Next())));
        Assert.Equal("SecureVault.Access.VaultPrincipalInfo", confirmed.BaseObject.GetType().FullName);
        Assert.True((bool)confirmed.Properties["MfaEnabled"].Value);
        Assert.True(MfaEnabled(vault, "owner"));
        AssertError(vault.Run("Enable-VaultMfa -Vault $v -NoQrCode", v), "InvalidInput", "EnableVaultMfaCommand"); // already on
        Assert.Single(vault.Invoke("Get-VaultAuditLog -Vault $v -Action mfa-enable -Outcome success", v));
        Assert.Single(vault.Invoke("Get-VaultAuditLog -Vault $v -Action mfa-confirm -Outcome success", v));
        vault.Invoke("Lock-Vault -Vault $v; Unlock-Vault -Vault $v -Password $p -Totp $c", v, ("p", HostedVault.Password), ("c", device.Next()));
    }

    [Fact]
    public void With_MFA_on_Unlock_Vault_needs_a_right_code_and_accepts_each_code_once()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath), p = ("p", HostedVault.Password);
        var device = Enrol(vault);
        vault.Invoke("Lock-Vault -Vault $v", v);

        var missing = vault.Run("Unlock-Vault -Vault $v -Password $p", v, p);
        Assert.StartsWith("MfaRequired,", Assert.Single(missing.ErrorIds), StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.AuthenticationError, missing.Errors.Concat(missing.Terminating is null ? [] : [missing.Terminating]).Single().CategoryInfo.Category);
        Assert.True(IsLocked(vault));
        AssertError(vault.Run("Unlock-Vault -Vault $v -Password $p -Totp $c", v, p, ("c", device.Wrong())), "AuthenticationFailed", "UnlockVaultCommand");
        Assert.True(IsLocked(vault));
        AssertError(vault.Run("Unlock-Vault -Vault $v -Password $p -Totp $c", v, ("p", ModuleFixture.Secure("not the owner's password at all")), ("c", device.Next())),
            "AuthenticationFailed", "UnlockVaultCommand");

        // The wrong password above did not spend the code: the right password with it unlocks.
        var status = Assert.Single(vault.Invoke("Unlock-Vault -Vault $v -Password $p -Totp $c -PassThru", v, p, ("c", device.Last)));
        Assert.Equal((false, "owner"), ((bool)status.Properties["IsLocked"].Value, (string)status.Properties["Principal"].Value));

        vault.Invoke("Lock-Vault -Vault $v", v);
        AssertError(vault.Run("Unlock-Vault -Vault $v -Password $p -Totp $c", v, p, ("c", device.Last)), "AuthenticationFailed", "UnlockVaultCommand"); // replayed
        Assert.True(IsLocked(vault));
        vault.Invoke("Unlock-Vault -Vault $v -Password $p -Totp $c", v, p, ("c", device.Next()));
        Assert.False(IsLocked(vault));

        var refused = vault.Invoke("Get-VaultAuditLog -Vault $v -Action unlock -Outcome denied | ForEach-Object Reason", v).Select(o => (string)o.BaseObject).ToList();
        Assert.Equal(["MfaRequired", "AuthenticationFailed", "AuthenticationFailed", "AuthenticationFailed"], refused);
    }

    [Fact]
    public void MFA_is_turned_off_with_a_code_by_its_principal_or_without_one_by_an_Admin_but_never_by_a_User_for_another()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        vault.Invoke("$null = New-VaultPrincipal -Vault $v -Name bob -Role User -Password $bp", v, ("bp", BobPassword));
        var owner = Enrol(vault);

        ActAs(vault, "bob", BobPassword);
        var bob = Enrol(vault);
        AssertError(vault.Run("Disable-VaultMfa -Vault $v -Principal owner -Confirm:$false", v), "AccessDenied", "DisableVaultMfaCommand");
        Assert.True(MfaEnabled(vault, "owner"));
        AssertError(vault.Run("Disable-VaultMfa -Vault $v -Confirm:$false", v), "AccessDenied", "DisableVaultMfaCommand"); // its own, without a code
        AssertError(vault.Run("Disable-VaultMfa -Vault $v -Code $c -Confirm:$false", v, ("c", bob.Wrong())), "AuthenticationFailed", "DisableVaultMfaCommand");
        Assert.True(MfaEnabled(vault, "bob"));
        Assert.Empty(vault.Invoke("Disable-VaultMfa -Vault $v -Code $c -WhatIf", v, ("c", bob.Last)));
        Assert.True(MfaEnabled(vault, "bob"));
        var off = Assert.Single(vault.Invoke("Disable-VaultMfa -Vault $v -Code $c -Confirm:$false -PassThru", v, ("c", bob.Next())));
        Assert.Equal(("bob", false), ((string)off.Properties["Name"].Value, (bool)off.Properties["MfaEnabled"].Value));
        ActAs(vault, "bob", BobPassword); // no code needed any more

        // bob enrols a new device and loses it: an Admin takes it away without any code.
        Enrol(vault);
        ActAs(vault, "owner", HostedVault.Password, owner.Next());
        Assert.Empty(vault.Invoke("Disable-VaultMfa -Vault $v -Principal bob -WhatIf", v));
        Assert.True(MfaEnabled(vault, "bob"));
        var reset = Assert.Single(vault.Invoke("Get-VaultPrincipal -Vault $v -Name bob | Disable-VaultMfa -Confirm:$false -PassThru", v));
        Assert.False((bool)reset.Properties["MfaEnabled"].Value);
        AssertError(vault.Run("Disable-VaultMfa -Vault $v -Principal bob -Confirm:$false", v), "InvalidInput", "DisableVaultMfaCommand");
        AssertError(vault.Run("Disable-VaultMfa -Vault $v -Principal nobody -Confirm:$false", v), "PrincipalNotFound", "DisableVaultMfaCommand");
        ActAs(vault, "bob", BobPassword);

        ActAs(vault, "owner", HostedVault.Password, owner.Next());
        var records = vault.Invoke("""
            Get-VaultAuditLog -Vault $v -Action mfa-disable |
                Where-Object { $_.Outcome -eq 'success' -or $_.Reason -eq 'AccessDenied' } |
                ForEach-Object { '{0} {1} {2}' -f $_.Principal, $_.Outcome, $_.Reason }
            """, v).Select(o => ((string)o.BaseObject).TrimEnd());
        Assert.Equal(["bob denied AccessDenied", "bob denied AccessDenied", "bob success", "owner success"], records);
    }

    [Fact]
    public void AsPlainText_returns_the_URI_as_a_string_NoQrCode_draws_nothing_and_WhatIf_changes_nothing()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);

        var whatIf = RunOnScreen("Enable-VaultMfa -Vault $v -WhatIf", v);
        Assert.Equal((0, 0, 0, 0), (whatIf.Output.Count, whatIf.Information.Count, whatIf.ErrorIds.Count, QrLines(whatIf.Screen).Count));
        AssertError(vault.Run("Enable-VaultMfa -Vault $v -Code 123456", v), "InvalidInput", "EnableVaultMfaCommand"); // nothing pending
        Assert.Empty(vault.Invoke("Get-VaultAuditLog -Vault $v -Action mfa-enable", v));

        var first = RunOnScreen("Enable-VaultMfa -Vault $v -AsPlainText -NoQrCode", v);
        Assert.Empty(first.Information);
        Assert.Empty(QrLines(first.Screen));
        var firstUri = Assert.IsType<string>(Assert.Single(first.Output).BaseObject);
        Assert.StartsWith("otpauth://totp/SecureVault:owner?secret=", firstUri, StringComparison.Ordinal);
        Assert.EndsWith("&issuer=SecureVault&algorithm=SHA1&digits=6&period=30", firstUri, StringComparison.Ordinal);

        // Starting again replaces the pending secret: only the new one confirms.
        var second = RunOnScreen("Enable-VaultMfa -Vault $v -AsPlainText", v);
        var secondUri = Assert.IsType<string>(Assert.Single(second.Output).BaseObject);
        Assert.NotEqual(firstUri, secondUri);
        Assert.NotEmpty(QrLines(second.Screen)); // -AsPlainText alone still draws the code
        AssertError(vault.Run("Enable-VaultMfa -Vault $v -Code $c", v, ("c", Authenticator.FromUri(firstUri).Next())), "InvalidInput", "EnableVaultMfaCommand");
        var device = Authenticator.FromUri(secondUri);
        Assert.Empty(vault.Invoke("Enable-VaultMfa -Vault $v -Code $c -WhatIf", v, ("c", device.Next())));
        Assert.False(MfaEnabled(vault, "owner"));
        vault.Invoke("$null = Enable-VaultMfa -Vault $v -Code $c", v, ("c", device.Last));
        Assert.True(MfaEnabled(vault, "owner"));

        Assert.Empty(vault.Invoke("Disable-VaultMfa -Vault $v -WhatIf", v));
        Assert.True(MfaEnabled(vault, "owner"));
        Assert.StartsWith("AmbiguousParameterSet,", Assert.Single(vault.Run("Enable-VaultMfa -Vault $v -Code 123456 -AsPlainText", v).ErrorIds), StringComparison.Ordinal);
        vault.Invoke("Lock-Vault -Vault $v", v);
        AssertError(vault.Run("Enable-VaultMfa -Vault $v", v), "VaultLocked", "EnableVaultMfaCommand");
        AssertError(vault.Run("Disable-VaultMfa -Vault $v -Principal owner -Confirm:$false", v), "VaultLocked", "DisableVaultMfaCommand");
        vault.Invoke("Unlock-Vault -Vault $v -Password $p -Totp $c", v, ("p", HostedVault.Password), ("c", device.Next()));
    }

    [Fact]
    public void NoQrCode_draws_nothing_and_the_enrolment_carries_the_secret_only_as_SecureString()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);

        var started = RunOnScreen("Enable-VaultMfa -Vault $v -NoQrCode *>&1", v);

        Assert.Empty(started.ErrorIds);
        var enrolment = Assert.Single(started.Output);
        Assert.Equal("SecureVault.PowerShell.VaultMfaEnrolment", enrolment.BaseObject.GetType().FullName);
        Assert.Empty(QrLines(started.Screen));
        Assert.Null(enrolment.Properties["QrCode"]);
        var uri = new NetworkCredential("", Assert.IsType<SecureString>(enrolment.Properties["OtpAuthUri"].Value)).Password;
        var carried = StringsIn(enrolment).ToList();
        Assert.Contains(carried, text => text.Contains("OtpAuthUri", StringComparison.Ordinal)); // the instructions point at it
        Assert.DoesNotContain(carried, text => text.Contains(SecretOf(uri), StringComparison.OrdinalIgnoreCase) || text.Contains("otpauth://totp", StringComparison.Ordinal));
    }

    [Fact]
    public void The_default_view_of_an_enrolment_never_shows_the_URI_or_the_QR_code()
    {
        var format = XDocument.Load(Path.Combine(fixture.RepositoryRoot, "module", "SecureVault.format.ps1xml"));
        var view = Assert.Single(format.Descendants("View"), view => (string?)view.Element("ViewSelectedBy")?.Element("TypeName") == "SecureVault.PowerShell.VaultMfaEnrolment");
        var shown = view.Descendants().Where(e => e.Name == "PropertyName" || e.Name == "ScriptBlock").Select(e => e.Value).ToList();
        Assert.Contains("Principal", shown);
        Assert.Contains(shown, s => s.Contains("Enable-VaultMfa -Code", StringComparison.Ordinal));
        Assert.DoesNotContain(shown, s => s.Contains("OtpAuthUri", StringComparison.Ordinal) || s.Contains("QrCode", StringComparison.Ordinal));
    }

    [Fact]
    public void Unlock_Vault_takes_a_certificate_a_PFX_file_or_the_certificate_from_the_pipeline()
    {
        using var vault = new HostedVault(fixture);
        (string, object?) v = ("v", vault.VaultPath);
        using var certificate = SelfSignedCertificate("rotation-job");
        using var publicOnly = X509CertificateLoader.LoadCertificate(certificate.RawData);
        var added = Assert.Single(vault.Invoke("New-VaultPrincipal -Vault $v -Name rotation-job -Role User -Certificate $c", v, ("c", certificate)));
        Assert.Equal(["Certificate"], (string[])added.Properties["Credentials"].Value);
        var pfx = Path.Combine(Path.GetDirectoryName(vault.VaultPath)!, "job.pfx");
        File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pfx, "pfx password"));
        vault.Invoke("Lock-Vault -Vault $v", v);

        // The certificate names its principal: no -Principal, no password.
        var status = Assert.Single(vault.Invoke("Unlock-Vault -Vault $v -Certificate $c -PassThru", v, ("c", certificate)));
        Assert.Equal(("rotation-job", "User"), ((string)status.Properties["Principal"].Value, (string)status.Properties["Role"].Value));
        vault.Invoke("Set-VaultKey -Vault $v -Name job/key -Value 'written by the job'", v);
        Assert.Equal("written by the job", Assert.Single(vault.Invoke("Get-VaultKey -Vault $v -Name job/key -AsPlainText", v)).BaseObject);
        AssertError(vault.Run("Enable-VaultMfa -Vault $v", v), "InvalidInput", "EnableVaultMfaCommand"); // no password to guard
        vault.Invoke("Lock-Vault -Vault $v", v);

        vault.Invoke("Unlock-Vault -Vault $v -CertificatePath $f -CertificatePassword $fp", v, ("f", pfx), ("fp", ModuleFixture.Secure("pfx password")));
        Assert.Equal("rotation-job", Assert.Single(vault.Invoke("(Get-VaultStatus -Vault $v).Principal", v)).BaseObject);
        vault.Invoke("Lock-Vault -Vault $v", v);
        vault.Invoke("$c | Unlock-Vault -Vault $v", v, ("c", certificate));
        Assert.Equal("rotation-job", Assert.Single(vault.Invoke("(Get-VaultStatus -Vault $v).Principal", v)).BaseObject);
        vault.Invoke("Lock-Vault -Vault $v", v);

        using var other = SelfSignedCertificate("someone else");
        AssertError(vault.Run("Unlock-Vault -Vault $v -Certificate $c", v, ("c", other)), "AuthenticationFailed", "UnlockVaultCommand");
        AssertError(vault.Run("Unlock-Vault -Vault $v -Certificate $c -Principal rotation-job", v, ("c", other)), "AuthenticationFailed", "UnlockVaultCommand");
        AssertError(vault.Run("Unlock-Vault -Vault $v -Certificate $c", v, ("c", publicOnly)), "InvalidInput", "UnlockVaultCommand");
        AssertError(vault.Run("Unlock-Vault -Vault $v -CertificatePath $f -CertificatePassword $fp", v, ("f", pfx), ("fp", ModuleFixture.Secure("wrong pfx password"))),
            "InvalidInput", "UnlockVaultCommand");
        // Outside Windows there is no certificate store; on Windows no certificate has this thumbprint.
        AssertError(vault.Run("Unlock-Vault -Vault $v -CertificateThumbprint $t", v, ("t", new string('0', 40))), "InvalidInput", "UnlockVaultCommand");
        Assert.True(IsLocked(vault));
        ActAs(vault, "owner", HostedVault.Password);
    }

    /// <summary>Enrols the unlocked principal through the cmdlets and returns its authenticator.</summary>
    private static Authenticator Enrol(HostedVault vault)
    {
        var uri = Assert.Single(vault.Invoke("Enable-VaultMfa -Vault $v -AsPlainText -NoQrCode", ("v", vault.VaultPath))).BaseObject;
        var device = Authenticator.FromUri(Assert.IsType<string>(uri));
        var confirmed = Assert.Single(vault.Invoke("Enable-VaultMfa -Vault $v -Code $c", ("v", vault.VaultPath), ("c", device.Next())));
        Assert.True((bool)confirmed.Properties["MfaEnabled"].Value);
        return device;
    }

    private static bool MfaEnabled(HostedVault vault, string principal) =>
        (bool)Assert.Single(vault.Invoke("(Get-VaultPrincipal -Vault $v -Name $n).MfaEnabled", ("v", vault.VaultPath), ("n", principal))).BaseObject;

    private static bool IsLocked(HostedVault vault) =>
        (bool)Assert.Single(vault.Invoke("(Get-VaultStatus -Vault $v).IsLocked", ("v", vault.VaultPath))).BaseObject;

    /// <summary>Ends the session and opens one as <paramref name="principal"/>, with a code when one is given.</summary>
    private static void ActAs(HostedVault vault, string principal, SecureString password, string? code = null) =>
        vault.Invoke(code is null
                ? "Lock-Vault -Vault $v; Unlock-Vault -Vault $v -Principal $n -Password $p"
                : "Lock-Vault -Vault $v; Unlock-Vault -Vault $v -Principal $n -Password $p -Totp $c",
            ("v", vault.VaultPath), ("n", principal), ("p", password), ("c", code));

    private static void AssertError(HostedVault.Result result, string id, string command) =>
        Assert.Equal(id + "," + Commands + command, Assert.Single(result.ErrorIds));

    private sealed record ScreenResult(List<PSObject> Output, List<InformationRecord> Information, List<string> ErrorIds, List<string> Warnings, string Screen);

    /// <summary>
    /// Runs a script in a runspace of a host with a screen (<see cref="RecordingHost"/>; the vault's
    /// session belongs to the process, so it is unlocked there too) and keeps what reached the
    /// screen besides the streams.
    /// </summary>
    private ScreenResult RunOnScreen(string script, params (string Name, object? Value)[] variables)
    {
        var host = new RecordingHost();
        using var runspace = fixture.NewRunspace(host);
        using var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = runspace;
        foreach (var (name, value) in variables) runspace.SessionStateProxy.SetVariable(name, value);
        ps.AddScript(script);
        var ids = new List<string>();
        var output = new List<PSObject>();
        try
        {
            output.AddRange(ps.Invoke());
        }
        catch (RuntimeException e)
        {
            ids.Add(e.ErrorRecord.FullyQualifiedErrorId);
        }
        ids.AddRange(ps.Streams.Error.Select(e => e.FullyQualifiedErrorId));
        return new ScreenResult(output, ps.Streams.Information.ToList(), ids, ps.Streams.Warning.Select(w => w.Message).ToList(), host.Screen);
    }

    /// <summary>Every string an object carries, in its properties and theirs (and in collections), a few levels deep.</summary>
    private static IEnumerable<string> StringsIn(object? value, int depth = 0)
    {
        var item = value is PSObject wrapped ? wrapped.BaseObject : value;
        if (item is null || depth > 4 || item is SecureString) yield break;
        if (item is string text)
        {
            yield return text;
            yield break;
        }
        if (item.GetType().IsPrimitive || item is DateTime or DateTimeOffset or Enum) yield break;
        if (item is System.Collections.IEnumerable collection)
        {
            foreach (var element in collection)
                foreach (var found in StringsIn(element, depth + 1)) yield return found;
            yield break;
        }
        foreach (var property in PSObject.AsPSObject(value!).Properties)
        {
            object? propertyValue;
            try { propertyValue = property.Value; }
            catch (GetValueException) { continue; }
            foreach (var found in StringsIn(propertyValue, depth + 1)) yield return found;
        }
    }

    /// <summary>The base32 TOTP secret inside an otpauth:// URI.</summary>
    private static string SecretOf(string uri) => uri.Split("secret=")[1].Split('&')[0];

    /// <summary>The lines of a screen drawn with the QR code's block characters.</summary>
    private static List<string> QrLines(string screen) =>
        screen.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Contains('\u2580') || l.Contains('\u2584') || l.Contains('\u2588')).ToList();

    private static X509Certificate2 SelfSignedCertificate(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DigitalSignature, critical: true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>
    /// An authenticator app for the tests: RFC 6238 codes (HMAC-SHA-1, 6 digits, 30 s), computed here
    /// independently of the engine. The vault accepts a code for the step before, at or after now, once,
    /// and only for a step later than the last it accepted; <see cref="Next"/> gives the earliest such
    /// code, so up to three fresh codes fit in one window without waiting for the clock.
    /// </summary>
    private sealed class Authenticator(byte[] secret)
    {
        private const int StepSeconds = 30;

        /// <summary>A code for the step before now expires at the next boundary: this close to it, wait for the boundary instead.</summary>
        private static readonly TimeSpan Margin = TimeSpan.FromSeconds(6);

        private long _lastStep = -1;

        /// <summary>The code <see cref="Next"/> gave last (already spent once the vault accepted it).</summary>
        public string Last { get; private set; } = "";

        public static Authenticator FromUri(string uri)
        {
            var base32 = uri.Split("secret=")[1].Split('&')[0];
            var bits = string.Concat(base32.Select(c => Convert.ToString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".IndexOf(c), 2).PadLeft(5, '0')));
            return new Authenticator(Enumerable.Range(0, bits.Length / 8).Select(i => Convert.ToByte(bits.Substring(i * 8, 8), 2)).ToArray());
        }

        /// <summary>A fresh code the vault accepts now (the caller uses it at once).</summary>
        public string Next()
        {
            var now = DateTimeOffset.UtcNow;
            long current = now.ToUnixTimeSeconds() / StepSeconds;
            long step = Math.Max(_lastStep + 1, current - 1);
            if (step > current + 1)
                throw new InvalidOperationException("A test asked one device for more than three codes in one 30-second window.");
            var left = DateTimeOffset.FromUnixTimeSeconds((current + 1) * StepSeconds) - now;
            if (step == current - 1 && left < Margin)
            {
                Thread.Sleep(left + TimeSpan.FromMilliseconds(50));
                return Next();
            }
            _lastStep = step;
            return Last = Code(step);
        }

        /// <summary>A well-formed code that matches no step near now.</summary>
        public string Wrong()
        {
            long current = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / StepSeconds;
            var near = Enumerable.Range(-3, 7).Select(offset => Code(current + offset)).ToHashSet();
            return Enumerable.Range(0, 10).Select(i => new string((char)('0' + i), 6)).First(code => !near.Contains(code));
        }

        private string Code(long step)
        {
            Span<byte> counter = stackalloc byte[8];
            BinaryPrimitives.WriteInt64BigEndian(counter, step);
            var mac = HMACSHA1.HashData(secret, counter);
            int offset = mac[^1] & 0x0F;
            int value = (BinaryPrimitives.ReadInt32BigEndian(mac.AsSpan(offset)) & 0x7FFFFFFF) % 1_000_000;
            return value.ToString("D6");
        }
    }
}
