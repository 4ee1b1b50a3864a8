using System.Management.Automation;

namespace SecureVault.PowerShell.Commands;

/// <summary>Removes a key with all its versions. Asks for confirmation; supports -WhatIf and pipeline input.</summary>
[Cmdlet(VerbsCommon.Remove, "VaultKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(VaultKeyInfo))]
public sealed class RemoveVaultKeyCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>The key name (case-insensitive).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VaultKeyNameCompleter))]
    public string Name { get; set; } = "";

    /// <summary>Writes the removed key's information.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            // Resolve the key first, so -WhatIf and -Confirm only ever speak of a key that exists.
            var key = engine.GetKeyInfo(Name);
            if (!ShouldProcess($"{key.Name} in {engine.Vault}", $"Remove key and all its {key.Versions.Length} version(s)")) return;
            var removed = engine.RemoveKey(Name);
            if (PassThru) WriteObject(removed);
        }, Name);
    }
}
