using System.Management.Automation;

namespace SecureVault.PowerShell.Commands;

/// <summary>Lists keys' metadata (name, type, versions, tags, service, times), never their values.</summary>
[Cmdlet(VerbsCommon.Get, "VaultKeyInfo")]
[OutputType(typeof(VaultKeyInfo))]
public sealed class GetVaultKeyInfoCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>A name or wildcard pattern (default: every key). A name without wildcards that does not exist is an error.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VaultKeyNameCompleter))]
    [SupportsWildcards]
    public string Name { get; set; } = "*";

    /// <summary>Only keys carrying every one of these tags.</summary>
    [Parameter]
    public string[]? Tag { get; set; }

    /// <summary>Only keys whose service matches this wildcard pattern.</summary>
    [Parameter]
    [SupportsWildcards]
    public string? Service { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            var keys = engine.ListKeys(new KeyFilter(Name, Tag, Service), Cancellation);
            if (keys.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(Name) && Tag is null && Service is null)
                throw new VaultKeyNotFoundException(Name) { Target = Name };
            foreach (var key in keys) WriteObject(key);
        }, Name);
    }
}
