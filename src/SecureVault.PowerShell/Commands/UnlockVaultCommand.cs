using System.Management.Automation;
using System.Security;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Authenticates a principal and unlocks the vault for this whole process (every runspace,
/// including SecretManagement's) until Lock-Vault or the idle timeout.
/// </summary>
[Cmdlet(VerbsCommon.Unlock, "Vault")]
[OutputType(typeof(VaultStatus))]
public sealed class UnlockVaultCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>The principal's password.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public SecureString Password { get; set; } = null!;

    /// <summary>The principal to unlock as. Default: the only principal, or the operating-system user name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Principal { get; set; }

    /// <summary>How long the session stays unlocked without use (default 15 minutes).</summary>
    [Parameter]
    public TimeSpan? Timeout { get; set; }

    /// <summary>Writes the vault status after unlocking.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            using var password = PasswordBytes(Password);
            engine.Unlock(password.ReadOnlySpan, Principal, Timeout);
            if (PassThru) WriteObject(engine.GetStatus());
        });
    }
}
