using System.CommandLine;
using SecureVault.Cli.Output;
using SecureVault.Values;

namespace SecureVault.Cli.Commands;

/// <summary>
/// <c>securevault get</c>: writes a key's value to stdout. Text goes out as UTF-8 plus a newline
/// (unless <c>--no-newline</c>), byte arrays exactly as stored. Credential and hashtable values
/// are refused (exit code 6): they have structure that only PowerShell can return faithfully,
/// and flattening a credential to lines would invent a format scripts could misread. A key due
/// for rotation (warning period or grace) is read and warned about on stderr; one past its grace
/// is refused (exit code 4).
/// </summary>
internal sealed class GetCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Argument<string> _name = KeyNameArgument("The key's name.");
    private readonly Option<int?> _version = new("--version") { Description = "Read this version instead of the current one.", HelpName = "N" };
    private readonly Option<bool> _noNewline = new("--no-newline", "-n") { Description = "Do not add a newline after a text value." };

    public override Command Build() => Define("get", "Write a key's value to stdout.", _name, _version, _noNewline);

    protected override int Execute(ParseResult parse)
    {
        var name = KeyNames.Validate(parse.GetValue(_name));
        var version = parse.GetValue(_version);
        bool newline = !parse.GetValue(_noNewline);
        return Common.Unlocked(parse, engine =>
        {
            using var value = engine.GetKey(name, version, warn: warning => ErrorReporter.Warn(ErrorReporter.RotationWarning(warning)));
            switch (value)
            {
                case SecretText text:
                    StandardOutput.Write(text.Utf8.ReadOnlySpan);
                    if (newline) StandardOutput.Write("\n"u8);
                    break;
                case SecretBytes bytes:
                    StandardOutput.Write(bytes.Bytes.ReadOnlySpan);
                    break;
                default:
                    throw new VaultInvalidInputException(
                        $"Key '{name}' holds a {value.Type} value, which only PowerShell can read (Get-VaultKey); the CLI reads text and byte values.");
            }
            return ExitCodes.Ok;
        });
    }
}
