using System.Management.Automation;

namespace SecureVault.PowerShell.Extension;

/// <summary>
/// SecretManagement's Unregister-SecretVault: locks the vault in this process (its keys are
/// zeroized). The vault file itself is kept: unregistering forgets a registration, not secrets.
/// </summary>
[Cmdlet(VerbsLifecycle.Unregister, "SecretVault")]
public sealed class UnregisterSecretVaultCommand : SecretVaultCommandBase
{
    protected override void ProcessRecord()
    {
        try
        {
            Engine.Lock();
        }
        catch (VaultException e)
        {
            // Unregistering must always succeed, above all for a registration whose parameters are
            // refused: a failure here would stop SecretManagement before it forgets the registration.
            WriteVerbose($"Nothing to lock for '{VaultName}': {e.Message}");
        }
    }
}
