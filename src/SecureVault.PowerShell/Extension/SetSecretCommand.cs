using System.Collections;
using System.Management.Automation;

namespace SecureVault.PowerShell.Extension;

/// <summary>SecretManagement's Set-Secret: a new key, or a new version of an existing one, with optional metadata.</summary>
[Cmdlet(VerbsCommon.Set, "Secret")]
public sealed class SetSecretCommand : SecretVaultCommandBase
{
    /// <summary>The key name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Name { get; set; } = "";

    /// <summary>
    /// The value: string, SecureString, byte[], PSCredential or Hashtable. SecretManagement always
    /// passes it; called directly without it, the value is asked for masked (see Set-VaultKey).
    /// </summary>
    [Parameter(Position = 1)]
    public object Secret { get; set; } = null!;

    /// <summary>Metadata (string, int, DateTime values); when given and not empty it replaces the key's metadata.</summary>
    [Parameter]
    public Hashtable? Metadata { get; set; }

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            using var prompted = MyInvocation.BoundParameters.ContainsKey(nameof(Secret)) ? null : SecretPrompt.Read(Host, engine, $"Secret for '{Name}'", nameof(Secret));
            using var value = SecretConverter.ToSecret(prompted ?? Secret);
            engine.SetKey(Name, value, Metadata is { Count: > 0 } ? MetadataMapping.ToUpdate(Metadata) : null);
        }, Name);
    }
}
