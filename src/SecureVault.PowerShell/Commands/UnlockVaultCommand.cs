using System.Management.Automation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Authenticates a principal and unlocks the vault for this whole process (every runspace,
/// including SecretManagement's) until Lock-Vault or the idle timeout. Warns when the vault has
/// gone backwards since this user profile last saw it.
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
            var result = engine.Unlock(password.ReadOnlySpan, Principal, Timeout);
            foreach (var warning in result.Warnings) WriteWarning(warning);
            if (PassThru) WriteObject(engine.GetStatus());
        });
    }
}
