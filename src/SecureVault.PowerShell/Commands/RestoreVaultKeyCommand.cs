using System.Management.Automation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Makes a kept older version of a key current again by writing its value as a new version (the
/// history keeps what was current). Works on retired versions too. Needs Read and Write; audited.
/// </summary>
[Cmdlet(VerbsData.Restore, "VaultKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VaultKeyInfo))]
public sealed class RestoreVaultKeyCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>The key name (case-insensitive).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VaultKeyNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The version to bring back, as Get-VaultKeyHistory shows it.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, int.MaxValue)]
    public int Version { get; set; }

    /// <summary>Writes the key's information after the restore.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            if (!ShouldProcess($"{Name} in {engine.Vault}", $"Restore version {Version} as a new version")) return;
            var info = engine.RestoreKey(Name, Version);
            if (PassThru) WriteObject(info);
        }, Name);
    }
}
