using System.Management.Automation;
using SecureVault.Rotation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Lists the kept versions of a key, newest first: when and by whom each was written, which is
/// current, and until when a replaced one can still be read. Never values. Audited.
/// </summary>
[Cmdlet(VerbsCommon.Get, "VaultKeyHistory")]
[OutputType(typeof(VaultKeyVersionInfo))]
public sealed class GetVaultKeyHistoryCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>The key name (case-insensitive).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VaultKeyNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            foreach (var version in engine.GetKeyHistory(Name)) WriteObject(version);
        }, Name);
    }
}
