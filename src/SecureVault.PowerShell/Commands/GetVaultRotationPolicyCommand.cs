using System.Management.Automation;
using SecureVault.Rotation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Shows rotation policies: without -Name the vault-wide default, with -Name the effective policy
/// of every key it matches (its own values, the rest inherited from the default). Audited.
/// </summary>
[Cmdlet(VerbsCommon.Get, "VaultRotationPolicy")]
[OutputType(typeof(VaultRotationPolicyInfo))]
public sealed class GetVaultRotationPolicyCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>A key name or a wildcard pattern over existing keys. Left out: the vault-wide default policy.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VaultKeyNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            if (Name is null)
            {
                WriteObject(engine.GetDefaultRotationPolicy());
                return;
            }
            foreach (var policy in engine.GetRotationPolicy(Name)) WriteObject(policy);
        }, Name);
    }
}
