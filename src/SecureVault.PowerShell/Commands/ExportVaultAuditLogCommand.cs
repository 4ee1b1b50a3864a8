using System.Management.Automation;
using SecureVault.Storage;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Writes audit records to a new file as JSON Lines (one object per line, UTF-8) for SIEM
/// ingestion. The file is created readable by its owner only; the export is itself audited.
/// </summary>
[Cmdlet(VerbsData.Export, "VaultAuditLog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportVaultAuditLogCommand : AuditFilterCommandBase
{
    private const string JsonLines = "JsonLines";

    #region Parameters

    /// <summary>The file to write.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The file format (JsonLines, the only one so far).</summary>
    [Parameter]
    [ValidateSet(JsonLines)]
    public string Format { get; set; } = JsonLines;

    /// <summary>Replaces the file when it exists.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes the file's FileInfo after the export.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            var path = GetUnresolvedProviderPathFromPSPath(Path);
            if (!ShouldProcess(path, $"Export the audit log of {engine.Vault} as {Format}")) return;
            long written = 0;
            PrivateFile.Write(path, Force, stream => written = engine.ExportAuditLog(stream, Filter, Cancellation));
            WriteVerbose($"Wrote {written} audit record(s) to '{path}'.");
            if (PassThru) WriteObject(new FileInfo(path));
        }, Path);
    }
}
