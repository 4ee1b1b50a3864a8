using System.Management.Automation;
using System.Security;

namespace SecureVault.PowerShell;

/// <summary>The parameters shared by the cmdlets that open a session: a password, a principal and an idle timeout.</summary>
public abstract class VaultSessionCommandBase : VaultCommandBase
{
    #region Parameters

    /// <summary>The principal's password.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public SecureString Password { get; set; } = null!;

    /// <summary>The principal. Default: the only principal, or the operating-system user name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Principal { get; set; }

    /// <summary>How long the session stays unlocked without use (default 15 minutes; 1 second to 7 days).</summary>
    [Parameter]
    public TimeSpan? Timeout { get; set; }

    #endregion
}
