using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using SecureVault.Access;
using EngineRole = SecureVault.Identity.Role;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Adds a principal with a role, unlocking either with a password (sealed with the vault's KDF
/// cost) or with a certificate (for unattended jobs; with its private key, which signs the keyslot). Admins
/// only; audited. A new Admin gets a copy of every data key at once.
/// </summary>
[Cmdlet(VerbsCommon.New, "VaultPrincipal", DefaultParameterSetName = PasswordSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VaultPrincipalInfo))]
public sealed class NewVaultPrincipalCommand : VaultCommandBase
{
    private const string PasswordSet = "Password";
    private const string CertificateSet = "Certificate";

    #region Parameters

    /// <summary>The new principal's name (1 to 64 letters, digits and . _ - @ \; unique without regard to case).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("UserName")]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The role: Admin, User or Viewer (Get-VaultRole shows what each may do).</summary>
    /// <remarks>A string, not the engine's enum: cmdlet types load before the engine's load context exists.</remarks>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateSet(nameof(EngineRole.Admin), nameof(EngineRole.User), nameof(EngineRole.Viewer))]
    public string Role { get; set; } = "";

    /// <summary>The new principal's password (15 to 256 characters), as a SecureString.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PasswordSet, ValueFromPipelineByPropertyName = true)]
    public SecureString Password { get; set; } = null!;

    /// <summary>The certificate the principal unlocks with (with its private key, which signs the keyslot; RSA 2048+ or EC P-256/P-384/P-521).</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    public X509Certificate2 Certificate { get; set; } = null!;

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            var credential = ParameterSetName == CertificateSet ? $"certificate {Certificate.Thumbprint}" : "a password";
            if (!ShouldProcess($"{Name} in {engine.Vault}", $"Add principal with role {Role}, unlocking with {credential}")) return;
            var role = Enum.Parse<EngineRole>(Role, ignoreCase: true);
            if (ParameterSetName == CertificateSet)
            {
                WriteObject(engine.NewPrincipal(Name, role, Certificate));
                return;
            }
            // The password goes from the SecureString straight into a pinned buffer, never a System.String.
            using var password = PasswordBytes(Password);
            WriteObject(engine.NewPrincipal(Name, role, password.ReadOnlySpan));
        }, Name);
    }
}
