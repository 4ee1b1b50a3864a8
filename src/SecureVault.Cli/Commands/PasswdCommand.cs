using System.CommandLine;
using SecureVault.Cli.Input;

namespace SecureVault.Cli.Commands;

/// <summary>
/// <c>securevault passwd</c>: changes the principal's password. The engine checks the current
/// password itself and re-seals one keyslot, so no separate unlock (and second KDF run) is needed.
/// </summary>
internal sealed class PasswdCommand(CommonOptions common) : CliCommand(common)
{
    public override Command Build() => Define("passwd", "Change the password (current, then new; the new one twice at a prompt).");

    protected override int Execute(ParseResult parse)
    {
        var engine = Common.OpenExisting(parse);
        var passwords = Common.Passwords(parse);
        using var current = passwords.Current(engine.Vault);
        using var replacement = passwords.Replacement();
        engine.ChangePassword(current.ReadOnlySpan, replacement.ReadOnlySpan, parse.GetValue(Common.Principal));
        Terminal.Inform("Password changed.");
        return ExitCodes.Ok;
    }
}
