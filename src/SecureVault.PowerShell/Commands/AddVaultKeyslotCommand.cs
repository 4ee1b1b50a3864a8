using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using SecureVault.Access;
using SecureVault.Identity;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Adds a way for the unlocked principal to unlock: a certificate beside its password, a
/// certificate that must come with the password (-RequireBoth: the password-only keyslot is
/// removed), or a password for a certificate principal. Audited.
/// </summary>
[Cmdlet(VerbsCommon.Add, "VaultKeyslot", DefaultParameterSetName = PasswordSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VaultPrincipalInfo))]
public sealed class AddVaultKeyslotCommand : VaultCommandBase
{
    private const string CertificateSet = "Certificate";
    private const string CertificateFileSet = "CertificateFile";
    private const string PasswordSet = "Password";

    #region Parameters

    /// <summary>The certificate to enrol, with its private key (the keyslot is signed with it).</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet, ValueFromPipeline = true)]
    public X509Certificate2? Certificate { get; set; }

    /// <summary>A PFX (PKCS #12) file holding the certificate and its private key.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateFileSet)]
    [ValidateNotNullOrEmpty]
    public string? CertificatePath { get; set; }

    /// <summary>The PFX file's password, if it has one.</summary>
    [Parameter(ParameterSetName = CertificateFileSet)]
    public SecureString? CertificatePassword { get; set; }

    /// <summary>
    /// With a certificate and -RequireBoth: the principal's current password. Alone: the password to
    /// add to a principal that has none.
    /// </summary>
    [Parameter(ParameterSetName = CertificateSet)]
    [Parameter(ParameterSetName = CertificateFileSet)]
    [Parameter(Mandatory = true, ParameterSetName = PasswordSet)]
    public SecureString? Password { get; set; }

    /// <summary>Unlocking then needs the password and the certificate together; the password-only keyslot is removed.</summary>
    [Parameter(ParameterSetName = CertificateSet)]
    [Parameter(ParameterSetName = CertificateFileSet)]
    public SwitchParameter RequireBoth { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            if (ParameterSetName == PasswordSet)
            {
                if (!ShouldProcess(engine.Vault, "Add a password keyslot")) return;
                using var newPassword = PasswordBytes(Password!);
                WriteObject(engine.AddPasswordKeyslot(newPassword.ReadOnlySpan));
                return;
            }
            var certificate = Certificate ?? CertificateFiles.FromPfx(SessionState.Path.GetUnresolvedProviderPathFromPSPath(CertificatePath), CertificatePassword);
            try
            {
                var what = RequireBoth
                    ? $"Require the password and certificate '{certificate.Subject}' together (the password-only keyslot is removed)"
                    : $"Add a keyslot for certificate '{certificate.Subject}'";
                if (!ShouldProcess(engine.Vault, what)) return;
                using var password = Password is null ? null : PasswordBytes(Password);
                WriteObject(engine.AddCertificateKeyslot(certificate, RequireBoth, password is null ? default : password.ReadOnlySpan));
            }
            finally
            {
                if (!ReferenceEquals(certificate, Certificate)) certificate.Dispose();
            }
        });
    }
}
