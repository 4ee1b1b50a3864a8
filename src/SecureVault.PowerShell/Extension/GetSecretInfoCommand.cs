using System.Management.Automation;

namespace SecureVault.PowerShell.Extension;

/// <summary>
/// SecretManagement's Get-SecretInfo: SecretInformation for every key matching a wildcard filter.
/// A name without wildcards is found through the blind index (SecretManagement's Get-Secret
/// without -Vault asks this first, so it stays fast on large vaults).
/// </summary>
[Cmdlet(VerbsCommon.Get, "SecretInfo")]
public sealed class GetSecretInfoCommand : SecretVaultCommandBase
{
    /// <summary>A name or wildcard pattern (default: every key).</summary>
    [Parameter(Position = 0)]
    public string? Filter { get; set; }

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            foreach (var key in engine.ListKeys(new KeyFilter(string.IsNullOrEmpty(Filter) ? "*" : Filter), Cancellation))
                WriteObject(SecretManagementTypes.SecretInformation(key.Name, key.Type, VaultName, MetadataMapping.ToHashtable(key)));
        }, Filter);
    }
}
