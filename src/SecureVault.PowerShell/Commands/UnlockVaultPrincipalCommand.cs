using System.Management.Automation;
using SecureVault.Access;
using SecureVault.Identity;

namespace SecureVault.PowerShell.Commands;

/// <summary>Clears a principal's lockout and its count of failed attempts, so it may try again now. Admins only; audited.</summary>
[Cmdlet(VerbsCommon.Unlock, "VaultPrincipal", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VaultPrincipalInfo))]
public sealed class UnlockVaultPrincipalCommand : PrincipalCommandBase
{
    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            var current = Current(engine);
            var state = current.LockedUntil is { } until
                ? $"locked out until {until:yyyy-MM-dd HH:mm:ss} UTC"
                : $"not locked out, {current.FailedAttempts} failed attempt(s)";
            if (!ShouldProcess($"{current.Name} in {engine.Vault}", $"Clear the lockout ({state})")) return;
            var cleared = engine.UnlockPrincipal(Name);
            if (PassThru) WriteObject(cleared);
        }, Name);
    }
}
