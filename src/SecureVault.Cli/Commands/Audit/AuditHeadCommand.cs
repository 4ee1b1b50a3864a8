using System.CommandLine;
using SecureVault.Cli.Input;

namespace SecureVault.Cli.Commands.Audit;

/// <summary>
/// <c>securevault audit head --out FILE</c>: appends a signed export-head record and writes it to
/// a file as an anchor (mode 0600). Kept off the machine, the anchor later proves with
/// <c>audit verify --anchor</c> that the chain was neither truncated nor rolled back past it.
/// </summary>
internal sealed class AuditHeadCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Option<string> _out = new("--out", "-o")
    {
        Description = "The file to write the anchor to (created with mode 0600). Keep it off this machine.",
        HelpName = "file",
        Required = true,
    };

    private readonly Option<bool> _force = new("--force", "-f") { Description = "Replace the file when it exists." };

    public override Command Build() => Define("head", "Export the newest audit record as a signed anchor file.", _out, _force);

    protected override int Execute(ParseResult parse)
    {
        var path = Path.GetFullPath(parse.GetValue(_out)!);
        bool force = parse.GetValue(_force);
        // Checked before unlocking, so that a refusal leaves no export-head record behind (the engine checks again when it writes).
        if (!force && File.Exists(path))
            throw new VaultInvalidInputException($"'{path}' already exists. Choose another --out file, or add --force to replace it.");
        var anchor = Common.Unlocked(parse, engine => engine.ExportAuditHead());
        anchor.Save(path, overwrite: force);
        Terminal.Inform($"Wrote the audit head (record {anchor.Seq}, hash {anchor.HashHex}) to {path}. Keep it off this machine.");
        return ExitCodes.Ok;
    }
}
