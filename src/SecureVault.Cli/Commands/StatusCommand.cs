using System.CommandLine;
using System.Globalization;
using SecureVault.Cli.Output;

namespace SecureVault.Cli.Commands;

/// <summary>
/// <c>securevault status</c>: the vault's state. Without <c>--unlock</c> it needs no password
/// and shows what is known while locked (every CLI run is its own session, so the vault is
/// always locked between commands); with <c>--unlock</c> it authenticates first and also
/// shows the principal, role and session timeout, which makes it a password check for scripts.
/// </summary>
internal sealed class StatusCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Option<bool> _json = new("--json") { Description = "Print one JSON object." };
    private readonly Option<bool> _unlock = new("--unlock") { Description = "Authenticate first (checks the password) and report the session." };

    public override Command Build() => Define("status", "Show the vault's state: store, format, KDF, key count, memory locking, audit log.", _json, _unlock);

    protected override int Execute(ParseResult parse)
    {
        var status = parse.GetValue(_unlock)
            ? Common.Unlocked(parse, engine => engine.GetStatus())
            : Common.OpenExisting(parse).GetStatus();
        if (parse.GetValue(_json)) WriteJson(status);
        else WriteText(status);
        return ExitCodes.Ok;
    }

    private static void WriteJson(VaultStatus status) => JsonLine.Write(json =>
    {
        json.WriteString("vault", status.Vault);
        json.WriteString("store", status.Store);
        json.WriteBoolean("isLocked", status.IsLocked);
        json.WriteNullable("principal", status.Principal);
        json.WriteNullable("role", status.Role);
        WriteSeconds(json, "timeLeftSeconds", status.TimeLeft);
        WriteSeconds(json, "idleTimeoutSeconds", status.IdleTimeout);
        json.WriteNumber("formatVersion", status.FormatVersion);
        json.WriteString("kdf", status.Kdf);
        json.WriteNumber("keyCount", status.KeyCount);
        json.WriteBoolean("memoryLocked", status.MemoryLocked);
        json.WriteString("memoryLockDetail", status.MemoryLockDetail);
        json.WriteNumber("auditRecords", status.AuditRecords);
        json.WriteNullable("auditHead", status.AuditHead);
        json.WriteString("alertForwarding", status.AlertForwarding.ToString());
        json.WriteNullable("alertForwardingProblem", status.AlertForwardingProblem);
    });

    private static void WriteSeconds(System.Text.Json.Utf8JsonWriter json, string name, TimeSpan? value)
    {
        if (value is { } v) json.WriteNumber(name, (long)v.TotalSeconds);
        else json.WriteNull(name);
    }

    private static void WriteText(VaultStatus status)
    {
        var table = new Table("FIELD", "VALUE");
        table.Add("Vault", status.Vault);
        table.Add("Store", status.Store);
        table.Add("Locked", status.IsLocked ? "yes" : "no");
        table.Add("Principal", status.Principal ?? "-");
        table.Add("Role", status.Role ?? "-");
        table.Add("Time left", Seconds(status.TimeLeft));
        table.Add("Idle timeout", Seconds(status.IdleTimeout));
        table.Add("Format version", status.FormatVersion.ToString(CultureInfo.InvariantCulture));
        table.Add("KDF", status.Kdf);
        table.Add("Keys", status.KeyCount.ToString(CultureInfo.InvariantCulture));
        table.Add("Memory locked", status.MemoryLocked ? "yes" : "no");
        table.Add("Memory detail", status.MemoryLockDetail);
        table.Add("Audit records", status.AuditRecords.ToString(CultureInfo.InvariantCulture));
        table.Add("Audit head", status.AuditHead?.ToString(CultureInfo.InvariantCulture) ?? "-");
        table.Add("Alert forwarding", status.AlertForwarding.ToString());
        if (status.AlertForwardingProblem != null) table.Add("Forwarding problem", status.AlertForwardingProblem);
        table.Write();
    }

    private static string Seconds(TimeSpan? value) => value is { } v ? ((long)v.TotalSeconds).ToString(CultureInfo.InvariantCulture) + " s" : "-";
}
