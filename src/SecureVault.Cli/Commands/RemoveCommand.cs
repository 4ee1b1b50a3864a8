using System.CommandLine;
using SecureVault.Cli.Input;
using SecureVault.Values;

namespace SecureVault.Cli.Commands;

/// <summary>
/// <c>securevault rm</c>: removes a key with every version. Without <c>--force</c> it asks on the
/// terminal; when nobody can be asked (stdin is not a terminal) it refuses rather than guess.
/// </summary>
internal sealed class RemoveCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Argument<string> _name = KeyNameArgument("The key's name.");
    private readonly Option<bool> _force = new("--force", "-f") { Description = "Remove without asking (required when stdin is not a terminal)." };

    public override Command Build() => Define("rm", "Remove a key and all its versions.", _name, _force);

    protected override int Execute(ParseResult parse)
    {
        var name = KeyNames.Validate(parse.GetValue(_name));
        bool force = parse.GetValue(_force);
        if (!force && !Terminal.IsInteractive)
            throw new CliUsageException($"refusing to remove '{name}' without confirmation: stdin is not a terminal. Pass --force to remove it.");

        var removed = Common.Unlocked(parse, engine =>
        {
            if (!force)
            {
                var info = engine.GetKeyInfo(name);
                if (!Terminal.Confirm($"Remove key '{info.Name}' and its {info.Versions.Length} kept version(s) from {engine.Vault}? [y/N] ")) return null;
            }
            return engine.RemoveKey(name);
        });
        Terminal.Inform(removed is null ? "Nothing was removed." : $"Removed '{removed.Name}'.");
        return ExitCodes.Ok;
    }
}
