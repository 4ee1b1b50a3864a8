using System.CommandLine;
using SecureVault.Cli.Input;
using SecureVault.Values;

namespace SecureVault.Cli.Commands;

/// <summary>
/// <c>securevault set</c>: writes a new version of a key. The value comes from stdin or a
/// hidden prompt (see <see cref="ValueInput"/>), never from an argument.
/// </summary>
internal sealed class SetCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Argument<string> _name = KeyNameArgument("The key's name (1-256 characters; case-insensitive).");
    private readonly Option<string[]> _tags = new("--tag") { Description = "A tag; repeat for several. Given tags replace the key's tags.", HelpName = "tag" };
    private readonly Option<string?> _service = new("--service") { Description = "The service the key belongs to.", HelpName = "name" };
    private readonly Option<string?> _description = new("--description") { Description = "A description of the key.", HelpName = "text" };
    private readonly Option<bool> _binary = new("--binary") { Description = "Store stdin's bytes exactly, as a byte array (default: UTF-8 text minus one trailing newline)." };

    public override Command Build() => Define("set", "Store a value read from stdin (or a hidden prompt) as a new version of a key.",
        _name, _tags, _service, _description, _binary);

    protected override int Execute(ParseResult parse)
    {
        // Checked before the password is asked for, and again by the engine.
        var name = KeyNames.Validate(parse.GetValue(_name));
        var tags = parse.GetValue(_tags);
        var update = new KeyUpdate(tags is { Length: > 0 } ? tags : null, parse.GetValue(_service), parse.GetValue(_description));
        bool binary = parse.GetValue(_binary);

        var info = Common.Unlocked(parse, engine =>
        {
            using var value = ValueInput.Read(name, binary);
            return engine.SetKey(name, value, update);
        });
        Terminal.Inform($"Stored '{info.Name}' version {info.Version}.");
        return ExitCodes.Ok;
    }
}
