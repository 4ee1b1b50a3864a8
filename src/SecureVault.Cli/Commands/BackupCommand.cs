using System.CommandLine;
using SecureVault.Cli.Input;

namespace SecureVault.Cli.Commands;

/// <summary>
/// <c>securevault backup FILE</c>: writes a consistent copy of the vault, taken while others may go
/// on writing, to FILE (mode 0600), checked before it is put at its name and holding the signed
/// audit head it was taken at. Audited; needs the backup permission (Admin).
/// </summary>
internal sealed class BackupCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Argument<string> _path = new("file") { Description = "The backup file to write (created with mode 0600). Keep copies off this machine." };

    private readonly Option<bool> _force = new("--force", "-f") { Description = "Replace the file when it exists." };

    public override Command Build() => Define("backup", "Write a checked, consistent backup of the vault to a file.", _path, _force);

    protected override int Execute(ParseResult parse)
    {
        var path = Path.GetFullPath(parse.GetValue(_path)!);
        bool force = parse.GetValue(_force);
        // Checked before unlocking, so that a refusal costs no password prompt (the engine checks again).
        if (!force && File.Exists(path))
            throw new VaultInvalidInputException($"'{path}' already exists. Choose another file, or add --force to replace it.");
        var backup = Common.Unlocked(parse, engine => engine.Backup(path, force));
        Terminal.Inform($"Wrote the backup of {backup.Vault} to {backup.Path} ({backup.Length} bytes, audit head record {backup.HeadSeq}, hash {backup.HeadHash}).");
        return ExitCodes.Ok;
    }
}
