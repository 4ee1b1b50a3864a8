using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using SecureVault.Identity;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Authenticates a principal and unlocks the vault for this whole process (every runspace,
/// including SecretManagement's) until Lock-Vault or the idle timeout: with a password (and a
/// one-time code when MFA is on), or with a certificate and its private key and no password, for
/// scheduled tasks (a principal enrolled with -RequireBoth gives both). Warns when the vault has
/// gone backwards since this user profile last saw it.
/// </summary>
[Cmdlet(VerbsCommon.Unlock, "Vault", DefaultParameterSetName = PasswordSet)]
[OutputType(typeof(VaultStatus))]
public sealed class UnlockVaultCommand : VaultSessionCommandBase
{
    private const string PasswordSet = "Password";
    private const string CertificateSet = "Certificate";
    private const string CertificateFileSet = "CertificateFile";
    private const string ThumbprintSet = "CertificateThumbprint";

    #region Parameters

    /// <summary>The principal's password (with a certificate: for a principal that needs both).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PasswordSet)]
    [Parameter(Position = 0, ParameterSetName = CertificateSet)]
    [Parameter(Position = 0, ParameterSetName = CertificateFileSet)]
    [Parameter(Position = 0, ParameterSetName = ThumbprintSet)]
    public SecureString? Password { get; set; }

    /// <summary>The current 6-digit code from the authenticator app, when MFA is on.</summary>
    [Parameter(ParameterSetName = PasswordSet)]
    [ValidateNotNullOrEmpty]
    public string? Totp { get; set; }

    /// <summary>A certificate with its private key.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet, ValueFromPipeline = true)]
    public X509Certificate2? Certificate { get; set; }

    /// <summary>A PFX (PKCS #12) file holding the certificate and its private key.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateFileSet)]
    [ValidateNotNullOrEmpty]
    public string? CertificatePath { get; set; }

    /// <summary>The PFX file's password, if it has one.</summary>
    [Parameter(ParameterSetName = CertificateFileSet)]
    public SecureString? CertificatePassword { get; set; }

    /// <summary>The thumbprint of a certificate in the current user's personal store (Windows).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ThumbprintSet)]
    [ValidateNotNullOrEmpty]
    public string? CertificateThumbprint { get; set; }

    /// <summary>Writes the vault status after unlocking.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            var certificate = LoadCertificate();
            try
            {
                UnlockResult result;
                if (Password is null)
                {
                    result = engine.UnlockWithCertificate(certificate!, Principal, Timeout);
                }
                else
                {
                    using var password = PasswordBytes(Password);
                    result = engine.Unlock(password.ReadOnlySpan, Principal, Timeout, Totp, certificate);
                }
                foreach (var warning in result.Warnings) WriteWarning(warning);
                if (PassThru) WriteObject(engine.GetStatus());
            }
            finally
            {
                // A certificate this cmdlet loaded holds a private key: release it now, not at finalization.
                if (!ReferenceEquals(certificate, Certificate)) certificate?.Dispose();
            }
        });
    }

    private X509Certificate2? LoadCertificate()
    {
        switch (ParameterSetName)
        {
            case CertificateSet:
                return Certificate;
            case CertificateFileSet:
                return CertificateFiles.FromPfx(SessionState.Path.GetUnresolvedProviderPathFromPSPath(CertificatePath), CertificatePassword);
            case ThumbprintSet:
                return CertificateFiles.FromStore(CertificateThumbprint!);
            default:
                return null;
        }
    }
}
