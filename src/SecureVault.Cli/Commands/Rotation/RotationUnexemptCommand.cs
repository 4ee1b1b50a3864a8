using System.CommandLine;
using SecureVault.Cli.Input;

namespace SecureVault.Cli.Commands.Rotation;

/// <summary><c>securevault rotation unexempt ID</c>: removes an exemption before its end. Admins only.</summary>
internal sealed class RotationUnexemptCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Argument<string> _id = new("id") { Description = "The exemption's id ('securevault rotation exemptions' lists them)." };

    public override Command Build() => Define("unexempt", "Remove a rotation exemption.", _id);

    protected override int Execute(ParseResult parse)
    {
        var text = parse.GetValue(_id)!;
        if (!Guid.TryParse(text, out var id)) throw new CliUsageException($"'{text}' is not an exemption id; 'securevault rotation exemptions' lists them.");
        var removed = Common.Unlocked(parse, engine => engine.RemoveRotationExemption(id));
        Terminal.Inform($"Removed the exemption of {(removed.Service is { } service ? $"service '{service}'" : $"key '{removed.Key}'")} (it ran until {removed.Until:u}).");
        return ExitCodes.Ok;
    }
}
