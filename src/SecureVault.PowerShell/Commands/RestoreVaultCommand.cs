using System.Management.Automation;
using System.Security;

namespace SecureVault.PowerShell.Commands;

/// <summary>
/// Puts a backup in place of the vault (or creates the vault from it where there is none). The
/// copy is checked before anything is replaced: SQLite integrity, the signed head it was written
/// with, and, unlocked with -Password, its whole audit chain. A backup older than the vault, or
/// one whose history went another way, is refused unless -Force. The restored vault records who
/// restored it from which head; this process's session on the old vault is closed.
/// </summary>
[Cmdlet(VerbsData.Restore, "Vault", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(VaultRestoreInfo))]
public sealed class RestoreVaultCommand : VaultCommandBase
{
    #region Parameters

    /// <summary>The backup file (written by Backup-Vault).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The password of a principal in the backup that holds the restore permission (an Admin).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public SecureString? Password { get; set; }

    /// <summary>That principal. Default: the backup's only principal, or the operating-system user name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Principal { get; set; }

    /// <summary>The principal's current 6-digit code, when it has MFA on.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Totp { get; set; }

    /// <summary>Replaces a vault that is newer than the backup, of another vault, or unreadable.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        Invoke(engine =>
        {
            var path = GetUnresolvedProviderPathFromPSPath(Path);
            var what = engine.Exists ? $"Replace the vault {engine.Vault} with the backup {path}" : $"Create the vault {engine.Vault} from the backup {path}";
            if (!ShouldProcess(engine.Vault, what)) return;
            using var password = PasswordBytes(Password!);
            var result = engine.RestoreBackup(path, password.ReadOnlySpan, Principal, Totp, Force);
            foreach (var warning in result.Warnings) WriteWarning(warning);
            WriteObject(result);
        }, Path);
    }
}
