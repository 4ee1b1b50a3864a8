using System.CommandLine;

namespace SecureVault.Cli.Commands.Rotation;

/// <summary><c>securevault rotation exemptions [--all]</c>: the active exemptions (with <c>--all</c>, the ended ones too).</summary>
internal sealed class RotationExemptionsCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Option<bool> _all = new("--all") { Description = "Include exemptions that have ended." };
    private readonly Option<bool> _json = new("--json") { Description = "One JSON object per exemption and line (JSON Lines)." };

    public override Command Build() => Define("exemptions", "List the rotation exemptions (active ones; --all for ended ones too).", _all, _json);

    protected override int Execute(ParseResult parse)
    {
        var exemptions = Common.Unlocked(parse, engine => engine.GetRotationExemptions(parse.GetValue(_all)));
        ExemptionOutput.Write(exemptions, parse.GetValue(_json));
        return ExitCodes.Ok;
    }
}
