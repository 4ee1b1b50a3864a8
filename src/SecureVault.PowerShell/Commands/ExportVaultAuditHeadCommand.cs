using System.Management.Automation;
using SecureVault.Storage;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Writes a signed checkpoint of the audit chain (an anchor) to a file readable by its owner only.
/// Kept off the machine, the anchor later shows whether the vault was truncated or rolled back
/// (Test-VaultAuditChain -Anchor).
/// </summary>
[Cmdlet(VerbsData.Export, "VaultAuditHead", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(AuditAnchor))]
public sealed class ExportVaultAuditHeadCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>The anchor file to write.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Replaces the file when it exists.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes the anchor that was saved.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            var path = GetUnresolvedProviderPathFromPSPath(Path);
            if (!ShouldProcess(path, $"Export the audit head of {engine.Vault}")) return;
            // The file is created first, so an existing one is refused before the export-head record is written.
            AuditAnchor? anchor = null;
            PrivateFile.Write(path, Force, stream =>
            {
                anchor = engine.ExportAuditHead();
                anchor.WriteTo(stream);
            });
            WriteVerbose($"Saved the anchor of audit record {anchor!.Seq} to '{path}'.");
            if (PassThru) WriteObject(anchor);
        }, Path);
    }
}
