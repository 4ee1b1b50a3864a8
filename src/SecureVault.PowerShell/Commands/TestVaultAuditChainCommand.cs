using System.Management.Automation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Recomputes a vault's audit chain. Writes $true or $false, so `if (Test-VaultAuditChain)` works
/// in scripts (a broken chain also writes a warning that says where and why); -Detailed writes the
/// full report. With -Anchor it also proves the chain still holds an exported head.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "VaultAuditChain")]
[OutputType(typeof(bool), typeof(AuditVerification))]
public sealed class TestVaultAuditChainCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>An anchor file written by Export-VaultAuditHead: detects truncation and rollback of the whole file.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Anchor { get; set; }

    /// <summary>Writes the full report (an AuditVerification) instead of $true or $false.</summary>
    [Parameter]
    public SwitchParameter Detailed { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            var anchor = Anchor is null ? null : AuditAnchor.Load(GetUnresolvedProviderPathFromPSPath(Anchor));
            var activity = $"Verifying the audit chain of {engine.Vault}";
            // The engine calls back on this (the pipeline) thread, where WriteProgress is allowed.
            var report = engine.VerifyAudit(anchor, (done, total) => WriteProgress(new ProgressRecord(1, activity, $"{done} of {total} records")
            {
                PercentComplete = total > 0 ? (int)Math.Min(100, 100 * done / total) : 100,
            }), Cancellation);
            WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed });

            // Not found in a valid chain: pruned away. In a broken chain the failure (TruncatedBelowAnchor) says why.
            if (report.AnchorChecked == false && report.IsValid)
                WriteWarning($"The anchor's record {anchor!.Seq} is no longer in the log of '{report.Vault}' (pruned): the anchor cannot show truncation any more. Export a new one with Export-VaultAuditHead.");
            if (Detailed)
            {
                WriteObject(report);
                return;
            }
            if (!report.IsValid)
                WriteWarning($"The audit chain of '{report.Vault}' is broken at record {report.FirstBadSeq} ({report.Reason}): {report.Detail}. Run Test-VaultAuditChain -Detailed for the report.");
            WriteObject(report.IsValid);
        });
    }
}
