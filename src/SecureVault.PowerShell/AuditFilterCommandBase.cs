using System.Management.Automation;

namespace SecureVault.PowerShell;

/// <summary>
/// The audit-log filters shared by Get-VaultAuditLog and Export-VaultAuditLog: every criterion
/// given must match, and the engine applies them while it reads, so -Last 10 on a large log stays cheap.
/// </summary>
public abstract class AuditFilterCommandBase : VaultCommandBase
{
    #region Parameters

    /// <summary>Only records written at or after this time (local unless the DateTime says UTC).</summary>
    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary>Only records written before this time.</summary>
    [Parameter]
    public DateTime? Until { get; set; }

    /// <summary>Only records of principals whose name matches this pattern (case-insensitive).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string? Principal { get; set; }

    /// <summary>Only records of actions that match this pattern (get, set, unlock, export-*, ...).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(AuditActionCompleter))]
    public string? Action { get; set; }

    /// <summary>Only records about keys whose name matches this pattern (case-insensitive).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(VaultKeyNameCompleter))]
    public string? Name { get; set; }

    /// <summary>Only records with this outcome.</summary>
    [Parameter]
    [ValidateSet("success", "denied", "error")]
    public string? Outcome { get; set; }

    /// <summary>Only the newest this many matching records (still written oldest first).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Last { get; set; }

    #endregion

    /// <summary>The engine filter the parameters describe.</summary>
    private protected AuditFilter Filter => new()
    {
        Since = Since,
        Until = Until,
        Principal = Principal,
        Action = Action,
        Name = Name,
        Outcome = Outcome,
        Last = Last,
    };
}
