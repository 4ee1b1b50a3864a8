using System.Management.Automation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Stores a value under a key name: a new key, or a new version of an existing one (the last 10
/// versions are kept). Accepts pipeline input by property name.
/// </summary>
[Cmdlet(VerbsCommon.Set, "VaultKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VaultKeyInfo))]
public sealed class SetVaultKeyCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>The key name: 1-256 characters, no control characters; case-insensitive.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VaultKeyNameCompleter))]
    public string Name { get; set; } = "";

    /// <summary>
    /// The value: string, SecureString, byte[], PSCredential or Hashtable of those (at most 1 MiB).
    /// Left out, it is asked for masked and stored as a SecureString (not mandatory: PowerShell's
    /// own prompt for a missing object parameter echoes the value).
    /// </summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Secret")]
    public object Value { get; set; } = null!;

    /// <summary>Tags to set (replaces the key's tags).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string[]? Tag { get; set; }

    /// <summary>The service the key belongs to (an empty string clears it).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Service { get; set; }

    /// <summary>A description (an empty string clears it).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Description { get; set; }

    /// <summary>Writes the key's information after the write.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            if (!ShouldProcess($"{Name} in {engine.Vault}", "Set key value")) return;
            using var prompted = MyInvocation.BoundParameters.ContainsKey(nameof(Value)) ? null : SecretPrompt.Read(Host, engine, $"Value for key '{Name}'", nameof(Value));
            using var value = SecretConverter.ToSecret(prompted ?? Value);
            var info = engine.SetKey(Name, value, new KeyUpdate(Tag, Service, Description));
            if (PassThru) WriteObject(info);
        }, Name);
    }
}
