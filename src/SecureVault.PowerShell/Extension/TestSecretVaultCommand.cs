using System.Management.Automation;

namespace SecureVault.PowerShell.Extension;

/// <summary>
/// SecretManagement's Test-SecretVault: writes $true when the registration's parameters are valid
/// and the vault exists, reads and is unlocked; otherwise errors that say what is wrong, then
/// $false. A locked vault is $false with a VaultLocked error that says how to unlock it, as
/// SecretStore answers $false with "A valid password is required".
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "SecretVault")]
[OutputType(typeof(bool))]
public sealed class TestSecretVaultCommand : SecretVaultCommandBase
{
    protected override void ProcessRecord()
    {
        bool healthy = false;
        try
        {
            var status = Engine.GetStatus();
            if (Settings.HasCertificate)
                WriteWarning($"The certificate settings of '{VaultName}' are not used yet: certificate unlock is planned. Unlock with Unlock-SecretVault or Unlock-Vault.");
            if (status.IsLocked)
            {
                var record = VaultErrors.From(new VaultLockedException(status.Vault), VaultName);
                record.ErrorDetails = new ErrorDetails(LockedMessage);
                WriteError(record);
            }
            else
            {
                healthy = true;
            }
        }
        catch (VaultException e)
        {
            WriteError(VaultErrors.From(e, VaultName));
        }
        WriteObject(healthy);
    }
}
