using System.Management.Automation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Rotates an existing key: writes a new version from -Value, or from -ScriptBlock, which gets the
/// current value and returns the new one (when it fails, nothing changes and the error is
/// RotationFailed). Works on a Blocked key; a key that does not exist is KeyNotFound (create keys
/// with Set-VaultKey). Needs the Rotate permission (and Read for -ScriptBlock); audited.
/// </summary>
[Cmdlet(VerbsData.Update, "VaultKey", DefaultParameterSetName = ByValue, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VaultKeyInfo))]
public sealed class UpdateVaultKeyCommand : VaultCommandBase
{
    private const string ByValue = "Value";
    private const string ByScript = "ScriptBlock";

    #region Parameters

    /// <summary>The key name (case-insensitive).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VaultKeyNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>
    /// The new value: string, SecureString, byte[], PSCredential or Hashtable of those (at most 1 MiB).
    /// Left out, it is asked for masked, as a SecureString (see Set-VaultKey).
    /// </summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = ByValue)]
    [Alias("Secret")]
    public object Value { get; set; } = null!;

    /// <summary>Makes the new value from the current one: $_ and $args[0] are the current value, $args[1] the key name; its output is the new value.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ByScript)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    /// <summary>Writes the key's information after the rotation.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            var action = ScriptBlock is null ? "Rotate key: write a new version" : "Rotate key: write a new version made by the script block";
            if (!ShouldProcess($"{Name} in {engine.Vault}", action)) return;
            VaultKeyInfo info;
            if (ScriptBlock is { } script)
            {
                var producer = new RotationScript(script);
                info = engine.UpdateKey(Name, current => producer.Produce(Name, current));
            }
            else
            {
                using var prompted = MyInvocation.BoundParameters.ContainsKey(nameof(Value)) ? null : SecretPrompt.Read(Host, engine, $"New value for key '{Name}'", nameof(Value));
                using var value = SecretConverter.ToSecret(prompted ?? Value);
                info = engine.UpdateKey(Name, value);
            }
            if (PassThru) WriteObject(info);
        }, Name);
    }
}
