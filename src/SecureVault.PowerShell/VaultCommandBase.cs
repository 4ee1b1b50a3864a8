using System.Management.Automation;

namespace SecureVault.PowerShell;

/// <summary>The base of the SecureVault cmdlets: every one takes -Vault.</summary>
public abstract class VaultCommandBase : EngineCmdletBase
{
    #region Parameters

    /// <summary>The vault: a name (stored in the SecureVault data folder) or a path. Default: SECUREVAULT_VAULT, else "default".</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Vault { get; set; }

    #endregion

    private protected override string? VaultReference => Vault;
}
