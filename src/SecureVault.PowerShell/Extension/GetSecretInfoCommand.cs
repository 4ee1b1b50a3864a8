using System.Management.Automation;

namespace SecureVault.PowerShell.Extension;

/// <summary>
/// SecretManagement's Get-SecretInfo: SecretInformation for every key matching a wildcard filter.
/// A name without wildcards is found through the blind index (SecretManagement's Get-Secret
/// without -Vault asks this first, so it stays fast on large vaults).
/// </summary>
/// <remarks>
/// A locked vault cannot tell whether it holds a name. Asked for one name (no wildcards), it warns
/// and writes nothing: that is how SecretManagement's Get-Secret without -Vault probes the default
/// vault, and only an empty answer without an error lets it go on to the other registered vaults
/// (a PasswordRequiredException ends the whole Get-Secret; an error breaks -ErrorAction Stop).
/// A listing (wildcards, or no filter) of a locked vault stays an error, so that a script copying
/// "every secret" never silently copies none.
/// </remarks>
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

    private protected override void Report(VaultException exception, object target)
    {
        if (exception is VaultLockedException && IsOneName)
        {
            WriteWarning($"{LockedMessage} Until then SecretManagement looks for '{Filter}' in the other registered vaults only.");
            return;
        }
        base.Report(exception, target);
    }

    private bool IsOneName => !string.IsNullOrEmpty(Filter) && !WildcardPattern.ContainsWildcardCharacters(Filter);
}
