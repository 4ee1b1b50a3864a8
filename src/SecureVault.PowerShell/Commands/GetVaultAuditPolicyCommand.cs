using System.Management.Automation;

namespace SecureVault.PowerShell.Commands;

/// <summary>Shows a vault's audit policy: how long records are kept at least, and where alerts go. Works while locked.</summary>
[Cmdlet(VerbsCommon.Get, "VaultAuditPolicy")]
[OutputType(typeof(AuditPolicy))]
public sealed class GetVaultAuditPolicyCommand : VaultCommandBase
{
    protected override void ProcessRecord()
    {
        Invoke(engine => WriteObject(engine.GetAuditPolicy()));
    }
}
