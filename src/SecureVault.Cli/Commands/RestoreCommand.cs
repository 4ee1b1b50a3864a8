using System.CommandLine;
using SecureVault.Cli.Input;
using SecureVault.Values;

namespace SecureVault.Cli.Commands;

/// <summary>
/// <c>securevault restore NAME --version N</c>: makes an old version current again by writing its
/// value as a new version (history is never rewritten). It works on versions past their grace,
/// which <c>get --version</c> refuses. Needs read and write on the key.
/// </summary>
internal sealed class RestoreCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Argument<string> _name = KeyNameArgument("The key's name.");
    private readonly Option<int> _version = new("--version")
    {
        Description = "The kept version to make current again ('securevault history NAME' lists them).",
        HelpName = "N",
        Required = true,
    };

    public override Command Build() => Define("restore", "Make an old version of a key current again (its value is written as a new version).", _name, _version);

    protected override int Execute(ParseResult parse)
    {
        var name = KeyNames.Validate(parse.GetValue(_name));
        int version = parse.GetValue(_version);
        if (version < 1) throw new VaultInvalidInputException("A version number starts at 1.");
        var info = Common.Unlocked(parse, engine => engine.RestoreKey(name, version));
        Terminal.Inform($"Restored '{info.Name}' version {version} as version {info.Version}.");
        return ExitCodes.Ok;
    }
}
