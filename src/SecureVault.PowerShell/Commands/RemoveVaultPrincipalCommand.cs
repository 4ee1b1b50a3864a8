using System.Management.Automation;
using SecureVault.Access;
using SecureVault.Identity;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Removes a principal with its credentials and grants, and rotates every data key it could read,
/// with progress, so a copy it kept opens nothing the vault still holds. The last enabled Admin
/// cannot be removed. Asks for confirmation; Admins only; audited.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "VaultPrincipal", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(VaultPrincipalInfo))]
public sealed class RemoveVaultPrincipalCommand : PrincipalCommandBase
{
    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            var current = Current(engine);
            if (!ShouldProcess($"{current.Name} in {engine.Vault}",
                $"Remove {current.Role} principal with its credentials and grants, and rotate every data key it could read")) return;
            var progress = new RotationProgress(this, $"Removing principal '{current.Name}' from {engine.Vault}", "data keys rotated");
            VaultPrincipalInfo removed;
            try
            {
                removed = engine.RemovePrincipal(Name, progress.Report);
            }
            finally
            {
                progress.Complete();
            }
            if (PassThru) WriteObject(removed);
        }, Name);
    }
}
