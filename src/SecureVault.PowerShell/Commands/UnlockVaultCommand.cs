using System.Management.Automation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Authenticates a principal and unlocks the vault for this whole process (every runspace,
/// including SecretManagement's) until Lock-Vault or the idle timeout.
/// </summary>
[Cmdlet(VerbsCommon.Unlock, "Vault")]
[OutputType(typeof(VaultStatus))]
public sealed class UnlockVaultCommand : VaultSessionCommandBase
{
    #region Parameters

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
