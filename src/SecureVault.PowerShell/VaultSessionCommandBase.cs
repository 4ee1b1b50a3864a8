using System.Management.Automation;

namespace SecureVault.PowerShell;

/// <summary>The parameters shared by the cmdlets that open a session: a principal and an idle timeout (each declares its own credentials).</summary>
public abstract class VaultSessionCommandBase : VaultCommandBase
{
    #region Parameters

    /// <summary>The principal. Default: the only principal, or the operating-system user name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Principal { get; set; }

    /// <summary>How long the session stays unlocked without use (default 15 minutes; 1 second to 7 days).</summary>
    [Parameter]
    public TimeSpan? Timeout { get; set; }

    #endregion
}
