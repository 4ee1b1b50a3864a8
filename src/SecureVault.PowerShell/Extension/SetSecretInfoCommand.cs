using System.Collections;
using System.Management.Automation;

namespace SecureVault.PowerShell.Extension;

/// <summary>SecretManagement's Set-SecretInfo: replaces a key's metadata without writing a new version.</summary>
[Cmdlet(VerbsCommon.Set, "SecretInfo")]
public sealed class SetSecretInfoCommand : SecretVaultCommandBase
{
    /// <summary>The key name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Name { get; set; } = "";

    /// <summary>The metadata (string, int, DateTime values) that replaces the key's metadata.</summary>
    [Parameter(Mandatory = true)]
    public Hashtable Metadata { get; set; } = null!;

    protected override void ProcessRecord() =>
        Invoke(engine => engine.UpdateKeyInfo(Name, MetadataMapping.ToUpdate(Metadata)), Name);
}
