using System.Management.Automation;

namespace SecureVault.Bench;

/// <summary>
/// Write-Verbose for the hosted runspace, which has no Microsoft.PowerShell.Utility (the
/// System.Management.Automation package does not ship it). SecretManagement's per-call script calls
/// Write-Verbose on every extension call; this cmdlet has the real one's name and parameter
/// declaration and writes the message through the same verbose-preference check, so the script
/// costs what it costs under pwsh.
/// </summary>
[Cmdlet(VerbsCommunications.Write, "Verbose")]
public sealed class WriteVerboseStandInCommand : PSCmdlet
{
    /// <summary>The message.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [AllowEmptyString]
    [Alias("Msg")]
    public string Message { get; set; } = "";

    protected override void ProcessRecord() => WriteVerbose(Message);
}
