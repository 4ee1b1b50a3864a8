using System.CommandLine;
using System.Globalization;
using SecureVault.Cli.Output;
using SecureVault.Rotation;

namespace SecureVault.Cli.Commands.Rotation;

/// <summary>
/// <c>securevault rotation status</c>: where each key stands against its rotation policy (Ok,
/// Warning, Overdue, Blocked, Exempt), with its due date and when reads become blocked. Sorted by
/// name. Never a value.
/// </summary>
internal sealed class RotationStatusCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Argument<string?> _pattern = new("pattern")
    {
        Description = "Key names: a name or a wildcard pattern (* ? [a-z]). Default: all.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<bool> _due = new("--due") { Description = "Only keys due for rotation: Warning, Overdue or Blocked." };
    private readonly Option<string?> _state = new("--state") { Description = "Only keys in this state: ok, warning, overdue, blocked or exempt.", HelpName = "state" };
    private readonly Option<bool> _json = new("--json") { Description = "One JSON object per key and line (JSON Lines)." };

    public override Command Build() => Define("status", "Show each key's rotation state, due date and when reads become blocked.", _pattern, _due, _state, _json);

    protected override int Execute(ParseResult parse)
    {
        RotationState? state = null;
        if (parse.GetValue(_state) is { } text)
        {
            // Names only: Enum.TryParse would also take "3" or "1,2".
            if (!Enum.GetNames<RotationState>().Contains(text, StringComparer.OrdinalIgnoreCase))
                throw new CliUsageException($"--state takes ok, warning, overdue, blocked or exempt; '{text}' is none of them.");
            state = Enum.Parse<RotationState>(text, ignoreCase: true);
        }
        var statuses = Common.Unlocked(parse, engine => engine.GetRotationStatus(parse.GetValue(_pattern), state, parse.GetValue(_due)));
        if (parse.GetValue(_json)) WriteJson(statuses);
        else WriteTable(statuses);
        return ExitCodes.Ok;
    }

    private static void WriteJson(IEnumerable<VaultRotationStatus> statuses)
    {
        foreach (var status in statuses)
        {
            JsonLine.Write(json =>
            {
                json.WriteString("name", status.Name);
                json.WriteString("state", status.State.ToString());
                json.WriteBoolean("isDue", status.IsDue);
                json.WriteNumber("version", status.Version);
                json.WriteNullable("service", status.Service);
                json.WriteString("lastRotated", JsonLine.Timestamp(status.LastRotated));
                json.WriteNumber("ageSeconds", Math.Round(status.Age.TotalSeconds));
                json.WriteString("dueDate", JsonLine.Timestamp(status.DueDate));
                json.WriteString("blockedFrom", JsonLine.Timestamp(status.BlockedFrom));
                json.WriteNumber("daysLeft", status.DaysLeft);
                json.WriteNullable("exemptUntil", status.ExemptUntil is { } until ? JsonLine.Timestamp(until) : null);
                json.WriteNullable("exemptReason", status.ExemptReason);
                json.WriteStartObject("policy");
                RotationPolicyCommand.WriteDurations(json, status.Policy.MaxAge, status.Policy.Warning, status.Policy.Grace);
                json.WriteNumber("versionsKept", status.Policy.VersionsKept);
                json.WriteEndObject();
                json.WriteString("vault", status.Vault);
            });
        }
    }

    private static void WriteTable(IEnumerable<VaultRotationStatus> statuses)
    {
        var table = new Table("NAME", "STATE", "VERSION", "LAST ROTATED (UTC)", "DUE (UTC)", "BLOCKED FROM (UTC)", "DAYS LEFT", "NOTE");
        foreach (var status in statuses)
        {
            var note = status.State == RotationState.Exempt && status.ExemptUntil is { } until
                ? $"exempt until {Table.Time(until)}: {status.ExemptReason}"
                : "";
            table.Add(status.Name, status.State.ToString(), status.Version.ToString(CultureInfo.InvariantCulture), Table.Time(status.LastRotated),
                Table.Time(status.DueDate), Table.Time(status.BlockedFrom), status.DaysLeft.ToString(CultureInfo.InvariantCulture), note);
        }
        table.Write();
    }
}
