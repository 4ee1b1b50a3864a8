using System.Management.Automation;

namespace SecureVault.PowerShell.Extension;

/// <summary>
/// SecretManagement's Test-SecretVault: writes $true when the registration's parameters are valid
/// and the vault exists and reads; otherwise errors that say what is wrong, then $false.
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
            if (status.IsLocked) WriteVerbose($"The vault '{status.Vault}' is locked: run Unlock-SecretVault -Name '{VaultName}' before reading secrets.");
            healthy = true;
        }
        catch (VaultException e)
        {
            WriteError(VaultErrors.From(e, VaultName));
        }
        WriteObject(healthy);
    }
}
