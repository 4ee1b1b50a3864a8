using System.Management.Automation;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Writes a backup of the unlocked vault: a consistent copy taken while others may go on
/// writing, owner-only (0600), checked before it is put at its name, holding the signed audit
/// head it was taken at. The backup is audited in the vault. Needs the backup permission (Admin).
/// </summary>
[Cmdlet(VerbsData.Backup, "Vault", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(VaultBackupInfo))]
public sealed class BackupVaultCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>The backup file to write.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Replaces the file when it exists.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            var path = GetUnresolvedProviderPathFromPSPath(Path);
            if (!ShouldProcess(path, $"Back up the vault {engine.Vault}")) return;
            WriteObject(engine.Backup(path, Force));
        }, Path);
    }
}
