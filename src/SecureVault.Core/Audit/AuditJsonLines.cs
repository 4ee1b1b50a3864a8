using System.Text.Json;

namespace SecureVault.Audit;

/// <summary>
/// Writes audit records as JSON Lines: one compact object per line, UTF-8, members in a fixed
/// order, times in ISO 8601 UTC. Absent values are left out, as SIEM parsers expect.
/// </summary>
internal static class AuditJsonLines
{
    public static void Write(Stream output, IEnumerable<VaultAuditRecord> records)
    {
        foreach (var record in records)
        {
            using (var json = new Utf8JsonWriter(output))
            {
                json.WriteStartObject();
                json.WriteNumber("seq", record.Seq);
                json.WriteString("time", AuditEntry.FormatTime(new DateTimeOffset(record.Time, TimeSpan.Zero).ToUnixTimeMilliseconds()));
                Optional(json, "principal", record.Principal);
                Optional(json, "principalId", record.PrincipalId?.ToString("D"));
                json.WriteString("action", record.Action);
                Optional(json, "name", record.Name);
                Optional(json, "targetId", record.TargetId?.ToString("D"));
                if (record.Version is { } version) json.WriteNumber("version", version);
                if (record.Count is { } count) json.WriteNumber("count", count);
                json.WriteString("outcome", record.Outcome);
                Optional(json, "reason", record.Reason);
                Optional(json, "detail", record.Detail);
                json.WriteString("host", record.Host);
                json.WriteNumber("pid", record.ProcessId);
                json.WriteString("process", record.ProcessName);
                json.WriteBoolean("signed", record.IsSigned);
                json.WriteString("hash", record.Hash);
                json.WriteString("vault", record.Vault);
                json.WriteEndObject();
            }
            output.WriteByte((byte)'\n');
        }
        output.Flush();
    }

    private static void Optional(Utf8JsonWriter json, string name, string? value)
    {
        if (value != null) json.WriteString(name, value);
    }
}
