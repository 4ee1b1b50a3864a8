using System.Management.Automation;
using SecureVault.Access;

namespace SecureVault.PowerShell.Commands;

/// <summary>Lists principals (name, role, disabled, credentials, MFA, lockout), never a credential. Any role may list them; audited.</summary>
[Cmdlet(VerbsCommon.Get, "VaultPrincipal")]
[OutputType(typeof(VaultPrincipalInfo))]
public sealed class GetVaultPrincipalCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>A name or wildcard pattern (default: every principal). A name without wildcards that does not exist is an error.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VaultPrincipalNameCompleter))]
    [SupportsWildcards]
    public string Name { get; set; } = "*";

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            foreach (var principal in engine.GetPrincipals(Name)) WriteObject(principal);
        }, Name);
    }
}
