using System.CommandLine;
using System.Globalization;
using SecureVault.Cli.Input;
using SecureVault.Cli.Output;

namespace SecureVault.Cli.Commands.Audit;

/// <summary>
/// <c>securevault audit alerts</c>: the security events the audit trail raised (repeated failed
/// unlocks, lockouts, denied access, integrity and verification failures, rollbacks, reads of
/// blocked keys), oldest first. Alerts name principals, key ids and records, never a value or a
/// key name. Reading them is audited.
/// </summary>
internal sealed class AuditAlertsCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Option<string?> _since = new("--since")
    {
        Description = "Alerts raised at or after this time: a date and time or an age (90m, 24h, 7d). Default: the last 24 hours.",
        HelpName = "time",
    };

    private readonly Option<bool> _json = new("--json") { Description = "One JSON object per alert and line (JSON Lines)." };

    public override Command Build() => Define("alerts", "Show the security alerts raised by audit records (default: the last 24 hours).", _since, _json);

    protected override int Execute(ParseResult parse)
    {
        var since = TimeArgument.Parse(parse.GetValue(_since), "--since", DateTime.UtcNow);
        var alerts = Common.Unlocked(parse, engine => engine.GetAlerts(since));
        if (parse.GetValue(_json)) WriteJson(alerts);
        else WriteTable(alerts);
        return ExitCodes.Ok;
    }

    private static void WriteJson(IEnumerable<VaultAlert> alerts)
    {
        foreach (var alert in alerts)
        {
            JsonLine.Write(json =>
            {
                json.WriteString("time", JsonLine.Timestamp(alert.Time));
                json.WriteNumber("seq", alert.Seq);
                json.WriteString("kind", alert.Kind);
                json.WriteString("severity", alert.Severity.ToString());
                json.WriteNullable("principal", alert.Principal);
                json.WriteString("action", alert.Action);
                json.WriteNullable("targetId", alert.TargetId?.ToString("D"));
                json.WriteNumber("count", alert.Count);
                json.WriteString("message", alert.Message);
                json.WriteString("vault", alert.Vault);
            });
        }
    }

    private static void WriteTable(IEnumerable<VaultAlert> alerts)
    {
        var table = new Table("TIME (UTC)", "SEQ", "SEVERITY", "KIND", "PRINCIPAL", "ACTION", "MESSAGE");
        foreach (var alert in alerts)
        {
            table.Add(Table.Time(alert.Time), alert.Seq.ToString(CultureInfo.InvariantCulture), alert.Severity.ToString(), alert.Kind,
                alert.Principal ?? "-", alert.Action, alert.Message);
        }
        table.Write();
    }
}
