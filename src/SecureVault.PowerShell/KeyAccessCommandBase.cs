using System.Management.Automation;

namespace SecureVault.PowerShell;

/// <summary>The parameters of the cmdlets that change one principal's access to keys (Grant- and Revoke-VaultAccess).</summary>
public abstract class KeyAccessCommandBase : VaultCommandBase
{
    #region Parameters

    /// <summary>The key name or a wildcard pattern over existing keys.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Key")]
    [ArgumentCompleter(typeof(VaultKeyNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The principal whose access changes.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VaultPrincipalNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Principal { get; set; } = "";

    #endregion
}
