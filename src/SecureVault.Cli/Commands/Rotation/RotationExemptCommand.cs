using System.CommandLine;
using SecureVault.Cli.Input;

namespace SecureVault.Cli.Commands.Rotation;

/// <summary>
/// <c>securevault rotation exempt (--service S | --key K) --reason R --until DATE</c>: exempts every key
/// of a service (wildcards allowed) or one key from rotation enforcement until a date (at most 366
/// days ahead): its reads are neither blocked nor warned about. Every exemption has a reason and an
/// end. Admins only. Prints the new exemption (its id is what <c>rotation unexempt</c> takes).
/// </summary>
internal sealed class RotationExemptCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Option<string?> _service = new("--service") { Description = "Exempt every key of this service (wildcards allowed, case-insensitive).", HelpName = "name" };
    private readonly Option<string?> _key = new("--key") { Description = "Exempt this one key (it must exist).", HelpName = "name" };
    private readonly Option<string> _reason = new("--reason") { Description = "Why the key(s) cannot be rotated on time (kept with the exemption).", HelpName = "text", Required = true };
    private readonly Option<string> _until = new("--until")
    {
        Description = "When the exemption ends: a date and time in the future, at most 366 days ahead (2025-06-30, 2025-06-30T18:00:00Z; local unless Z or an offset).",
        HelpName = "time",
        Required = true,
    };
    private readonly Option<bool> _json = new("--json") { Description = "Print the exemption as one JSON object." };

    public override Command Build() => Define("exempt", "Exempt a service's keys or one key from rotation enforcement, with a reason, until a date.",
        _service, _key, _reason, _until, _json);

    protected override int Execute(ParseResult parse)
    {
        string? service = parse.GetValue(_service), key = parse.GetValue(_key);
        if ((service is null) == (key is null)) throw new CliUsageException("give either --service or --key (one of them, not both).");
        var reason = parse.GetValue(_reason)!;
        if (string.IsNullOrWhiteSpace(reason)) throw new CliUsageException("--reason must say why the exemption is needed.");
        var until = TimeArgument.ParseDate(parse.GetValue(_until)!, "--until");
        var exemption = Common.Unlocked(parse, engine => engine.AddRotationExemption(service, key, reason, new DateTimeOffset(until, TimeSpan.Zero)));
        ExemptionOutput.Write([exemption], parse.GetValue(_json));
        return ExitCodes.Ok;
    }
}
