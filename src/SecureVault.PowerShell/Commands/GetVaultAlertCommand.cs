using System.Management.Automation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Lists the security alerts derived from the audit trail (repeated failed unlocks, lockouts,
/// denied access, integrity and verification failures, rollbacks, reads of blocked keys), oldest first.
/// </summary>
[Cmdlet(VerbsCommon.Get, "VaultAlert")]
[OutputType(typeof(VaultAlert))]
public sealed class GetVaultAlertCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>Alerts raised at or after this time (default: the last 24 hours).</summary>
    [Parameter]
    public DateTime? Since { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            foreach (var alert in engine.GetAlerts(Since, Cancellation)) WriteObject(alert);
        });
    }
}
