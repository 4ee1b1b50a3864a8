using System.Management.Automation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Checks a whole vault as fsck checks a file system: SQLite's own integrity check, the audit
/// chain, and every key, version, principal, keyslot and grant row against what the signed audit
/// log says must exist. Writes $true or $false (a warning per finding), or with -Detailed the report.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "Vault")]
[OutputType(typeof(bool), typeof(VaultCheckReport))]
public sealed class TestVaultCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>An anchor file written by Export-VaultAuditHead: also proves the log was not cut back below it.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Anchor { get; set; }

    /// <summary>Writes the full report (a VaultCheckReport) instead of $true or $false.</summary>
    [Parameter]
    public SwitchParameter Detailed { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            var anchor = Anchor is null ? null : AuditAnchor.Load(GetUnresolvedProviderPathFromPSPath(Anchor));
            var report = engine.CheckVault(anchor, Cancellation);
            if (Detailed)
            {
                WriteObject(report);
                return;
            }
            foreach (var finding in report.Findings)
                WriteWarning($"Test-Vault '{report.Vault}': {finding}");
            if (!report.IsConsistent)
                WriteWarning($"The vault '{report.Vault}' is not consistent ({report.Findings.Count} finding(s)). Restore it from a backup (Restore-Vault); Test-Vault -Detailed gives the report.");
            WriteObject(report.IsConsistent);
        });
    }
}
