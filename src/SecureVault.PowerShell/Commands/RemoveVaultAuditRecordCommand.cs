using System.Management.Automation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Prunes the oldest audit records behind a signed prune record, so the rest of the chain still
/// verifies. Records younger than the retention policy are never removed. Admins only; audited.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "VaultAuditRecord", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(AuditPruneResult))]
public sealed class RemoveVaultAuditRecordCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>Removes the records written before this time (default: everything the retention policy allows).</summary>
    [Parameter(Position = 0)]
    public DateTime? Before { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            var which = Before is { } before
                ? $"written before {before.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC"
                : "older than the retention policy keeps";
            if (!ShouldProcess(engine.Vault, $"Remove the audit records {which}")) return;
            WriteObject(engine.PruneAudit(Before));
        });
    }
}
