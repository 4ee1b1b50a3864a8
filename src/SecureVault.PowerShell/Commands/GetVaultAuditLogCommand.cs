using System.Management.Automation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Reads audit records, oldest first, with principal and key names resolved where the reader may
/// see them. Reading the log is itself audited.
/// </summary>
[Cmdlet(VerbsCommon.Get, "VaultAuditLog")]
[OutputType(typeof(VaultAuditRecord))]
public sealed class GetVaultAuditLogCommand : AuditFilterCommandBase
{
    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            foreach (var record in engine.GetAuditLog(Filter, Cancellation)) WriteObject(record);
        });
    }
}
