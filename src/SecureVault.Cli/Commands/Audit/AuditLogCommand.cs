using System.CommandLine;
using System.Globalization;
using SecureVault.Cli.Input;
using SecureVault.Cli.Output;

namespace SecureVault.Cli.Commands.Audit;

/// <summary>
/// <c>securevault audit log</c>: the audit records, oldest first, as a table or as JSON Lines for
/// SIEM ingestion (the engine's own export format). Key names are shown where this principal may
/// see them; values never appear in records. Reading the log is itself audited.
/// </summary>
internal sealed class AuditLogCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Option<string?> _since = new("--since")
    {
        Description = "Records at or after this time: a date and time (2025-01-02, 2025-01-02T10:00:00Z; local unless Z or an offset) or an age (90m, 24h, 7d).",
        HelpName = "time",
    };

    private readonly Option<string?> _until = new("--until") { Description = "Records before this time (same forms as --since).", HelpName = "time" };
    private readonly Option<string?> _action = new("--action") { Description = "Only this action (create, unlock, set, get, ...; wildcards allowed: 'export-*').", HelpName = "action" };
    private readonly Option<string?> _name = new("--name") { Description = "Only records about keys of this name (case-insensitive, wildcards allowed).", HelpName = "pattern" };
    private readonly Option<string?> _actor = new("--actor") { Description = "Only records of this acting principal (wildcards allowed). (--principal names who authenticates.)", HelpName = "pattern" };
    private readonly Option<string?> _outcome = new("--outcome") { Description = "Only this outcome: success, denied or error.", HelpName = "outcome" };
    private readonly Option<int?> _last = new("--last") { Description = "Only the newest N matching records (still printed oldest first).", HelpName = "N" };
    private readonly Option<bool> _json = new("--json") { Description = "One JSON object per record and line (JSON Lines), for SIEM ingestion." };

    public override Command Build()
    {
        _outcome.AcceptOnlyFromAmong("success", "denied", "error");
        return Define("log", "Show audit records, oldest first, as a table or JSON Lines.", _since, _until, _action, _name, _actor, _outcome, _last, _json);
    }

    protected override int Execute(ParseResult parse)
    {
        var now = DateTime.UtcNow;
        var last = parse.GetValue(_last);
        // Refused before the password is asked for (the engine refuses it too).
        if (last is < 1) throw new VaultInvalidInputException("--last must be 1 or more.");
        var filter = new AuditFilter
        {
            Since = TimeArgument.Parse(parse.GetValue(_since), "--since", now),
            Until = TimeArgument.Parse(parse.GetValue(_until), "--until", now),
            Action = parse.GetValue(_action),
            Name = parse.GetValue(_name),
            Principal = parse.GetValue(_actor),
            Outcome = parse.GetValue(_outcome),
            Last = last,
        };
        if (parse.GetValue(_json))
        {
            // Buffered: the engine writes each record in a few pieces, and stdout itself is unbuffered. Not disposed: that would close stdout.
            var output = new BufferedStream(StandardOutput.Stream, 64 * 1024);
            Common.Unlocked(parse, engine => engine.ExportAuditLog(output, filter));
            output.Flush();
        }
        else
        {
            WriteTable(Common.Unlocked(parse, engine => engine.GetAuditLog(filter)));
        }
        return ExitCodes.Ok;
    }

    private static void WriteTable(IEnumerable<VaultAuditRecord> records)
    {
        var table = new Table("SEQ", "TIME (UTC)", "PRINCIPAL", "ACTION", "NAME", "OUTCOME", "REASON", "DETAIL");
        foreach (var record in records)
        {
            table.Add(record.Seq.ToString(CultureInfo.InvariantCulture), Table.Time(record.Time), record.Principal ?? "-", record.Action,
                record.Name ?? "", record.Outcome, record.Reason ?? "", record.Detail ?? "");
        }
        table.Write();
    }
}
