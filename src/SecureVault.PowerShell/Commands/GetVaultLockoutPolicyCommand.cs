using System.Management.Automation;
using SecureVault.Identity;

namespace SecureVault.PowerShell.Commands;

/// <summary>Shows a vault's lockout policy: failures before a lockout, its first and longest length. Works while locked.</summary>
[Cmdlet(VerbsCommon.Get, "VaultLockoutPolicy")]
[OutputType(typeof(VaultLockoutPolicy))]
public sealed class GetVaultLockoutPolicyCommand : VaultCommandBase
{
    protected override void ProcessRecord()
    {
        Invoke(engine => WriteObject(engine.GetLockoutPolicy()));
    }
}
