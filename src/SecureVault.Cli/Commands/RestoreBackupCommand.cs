using System.CommandLine;
using SecureVault.Cli.Input;

namespace SecureVault.Cli.Commands;

/// <summary>
/// <c>securevault restore-backup FILE</c>: puts a backup in place of the vault (or creates the
/// vault from it). The copy is checked first (SQLite integrity, its signed head, and, unlocked
/// with the password of a principal in the backup who holds the restore permission, its whole
/// audit chain); a backup older than the vault is refused unless <c>--force</c>.
/// </summary>
internal sealed class RestoreBackupCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Argument<string> _path = new("file") { Description = "The backup file ('securevault backup' wrote it)." };

    private readonly Option<bool> _force = new("--force", "-f")
    {
        Description = "Replace a vault that is newer than the backup, is another vault, or cannot be read.",
    };

    public override Command Build() => Define("restore-backup", "Replace the vault with a checked backup (or create it from one).", _path, _force);

    protected override int Execute(ParseResult parse)
    {
        var path = Path.GetFullPath(parse.GetValue(_path)!);
        var engine = Common.Open(parse);
        VaultRestoreInfo restored;
        // The password is the one of a principal in the backup: it unlocks the copy, not the vault being replaced.
        using (var password = Common.Passwords(parse).Current(path))
        {
            restored = engine.RestoreBackup(path, password.ReadOnlySpan, parse.GetValue(Common.Principal), parse.GetValue(Common.Totp), parse.GetValue(_force));
        }
        foreach (var warning in restored.Warnings) ErrorReporter.Warn(warning);
        var replaced = restored.ReplacedHeadSeq is { } seq ? $"replaced the vault whose audit chain reached record {seq}" : "there was no vault before";
        Terminal.Inform($"Restored {restored.Vault} from {restored.Backup} (audit head record {restored.HeadSeq}); {replaced}. Unlock it to go on.");
        return ExitCodes.Ok;
    }
}
