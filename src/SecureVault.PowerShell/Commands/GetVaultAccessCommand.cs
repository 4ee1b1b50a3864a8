using System.Management.Automation;
using SecureVault.Access;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Lists grants: which principal may do what with which key, until when, and who granted it.
/// Expired grants are removed on the way. Any role may list them; audited.
/// </summary>
[Cmdlet(VerbsCommon.Get, "VaultAccess")]
[OutputType(typeof(VaultAccessInfo))]
public sealed class GetVaultAccessCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>Only grants on keys whose name matches this pattern (default: every key).</summary>
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(VaultKeyNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Only grants to this principal (default: every principal).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(VaultPrincipalNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Principal { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            foreach (var grant in engine.GetAccess(Name, Principal)) WriteObject(grant);
        }, (object?)Principal ?? Name);
    }
}
