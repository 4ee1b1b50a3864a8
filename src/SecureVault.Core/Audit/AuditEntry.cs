using System.Globalization;
using System.Text.Json;

namespace SecureVault.Audit;

/// <summary>
/// One audit record as it is hashed and signed: a flat canonical JSON object. It names the key
/// by id; the key's name appears only sealed under the metadata key (<see cref="TargetName"/>),
/// so the file reveals no name. It never holds a value, a password or key material.
/// </summary>
internal sealed record AuditEntry
{
    public required long Seq { get; init; }
    public required long TimeMs { get; init; }
    /// <summary>The acting principal, or null when nobody was recognised (a failed unlock of an unknown name).</summary>
    public Guid? Actor { get; init; }
    public required string Action { get; init; }
    public Guid? Target { get; init; }
    /// <summary>The key name sealed under the metadata key (base64), so names of removed keys stay resolvable.</summary>
    public string? TargetName { get; init; }
    public int? Version { get; init; }
    public long? Count { get; init; }
    /// <summary>For a prune record: the last sequence number removed, and the chain link after it (hex).</summary>
    public long? Through { get; init; }
    public string? ThroughHash { get; init; }
    /// <summary>Short, non-secret facts about the operation (a policy's new settings, say).</summary>
    public string? Detail { get; init; }
    /// <summary>For a password change: the keyslot id and a fingerprint of its new sealed state, so a keyslot restored from an older copy is noticed.</summary>
    public string? Keyslot { get; init; }
    /// <summary>
    /// Set when, before this record was signed, the newest signed record no longer matched its
    /// signature (the log was rewritten outside the engine): its sequence number. The verifier then
    /// checks every signature, so this record never vouches for the rewrite.
    /// </summary>
    public long? HeadBroken { get; init; }
    public required string Outcome { get; init; }
    /// <summary>Why it was refused or failed: the engine's ErrorId; null on success.</summary>
    public string? Reason { get; init; }
    public required string Host { get; init; }
    public required int Pid { get; init; }
    public required string Process { get; init; }

    public DateTime Time => DateTime.UnixEpoch.AddMilliseconds(TimeMs);

    /// <summary>The canonical bytes that are hashed and stored. Members in sorted order.</summary>
    public byte[] ToCanonicalJson() => new CanonicalJson()
        .String("action", Action)
        .String("actor", Actor?.ToString("D"))
        .Integer("count", Count)
        .String("detail", Detail)
        .Integer("headBroken", HeadBroken)
        .String("host", Host)
        .String("keyslot", Keyslot)
        .String("outcome", Outcome)
        .Integer("pid", Pid)
        .String("process", Process)
        .String("reason", Reason)
        .Integer("seq", Seq)
        .String("target", Target?.ToString("D"))
        .String("targetName", TargetName)
        .Integer("through", Through)
        .String("throughHash", ThroughHash)
        .String("time", FormatTime(TimeMs))
        .Integer("version", Version)
        .ToArray();

    /// <summary>
    /// Reads a stored record. Refuses anything that is not exactly the canonical form of a record
    /// (unknown or repeated members, other spacing or escaping), so what is shown is what was signed.
    /// </summary>
    public static AuditEntry Parse(ReadOnlySpan<byte> json)
    {
        AuditEntry entry;
        try
        {
            entry = FromMembers(ReadMembers(json));
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or OverflowException)
        {
            throw Malformed(e.Message);
        }
        if (!json.SequenceEqual(entry.ToCanonicalJson())) throw Malformed("not in canonical form");
        return entry;
    }

    private static Dictionary<string, object> ReadMembers(ReadOnlySpan<byte> json)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 2 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw Malformed("not an object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            object value = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString()!,
                JsonTokenType.Number => reader.GetInt64(),
                _ => throw Malformed($"member '{name}' is neither a string nor an integer"),
            };
            if (!values.TryAdd(name, value)) throw Malformed($"member '{name}' appears twice");
        }
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read()) throw Malformed("trailing content");
        return values;
    }

    private static AuditEntry FromMembers(Dictionary<string, object> values)
    {
        var entry = new AuditEntry
        {
            Seq = OptionalInteger(values, "seq") ?? throw Missing("seq"),
            TimeMs = ParseTime(OptionalString(values, "time") ?? throw Missing("time")),
            Actor = OptionalGuid(values, "actor"),
            Action = OptionalString(values, "action") ?? throw Missing("action"),
            Target = OptionalGuid(values, "target"),
            TargetName = OptionalString(values, "targetName"),
            Version = OptionalInteger(values, "version") is { } v ? checked((int)v) : null,
            Count = OptionalInteger(values, "count"),
            Through = OptionalInteger(values, "through"),
            ThroughHash = OptionalString(values, "throughHash"),
            Detail = OptionalString(values, "detail"),
            Keyslot = OptionalString(values, "keyslot"),
            HeadBroken = OptionalInteger(values, "headBroken"),
            Outcome = OptionalString(values, "outcome") ?? throw Missing("outcome"),
            Reason = OptionalString(values, "reason"),
            Host = OptionalString(values, "host") ?? throw Missing("host"),
            Pid = checked((int)(OptionalInteger(values, "pid") ?? throw Missing("pid"))),
            Process = OptionalString(values, "process") ?? throw Missing("process"),
        };
        if (values.Count != 0) throw Malformed($"unknown member '{values.Keys.First()}'");
        return entry;
    }

    public static string FormatTime(long timeMs) =>
        DateTime.UnixEpoch.AddMilliseconds(timeMs).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static long ParseTime(string text) =>
        new DateTimeOffset(DateTime.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static string? OptionalString(Dictionary<string, object> values, string name)
    {
        if (!values.Remove(name, out var value)) return null;
        return value as string ?? throw Malformed($"member '{name}' is not a string");
    }

    private static long? OptionalInteger(Dictionary<string, object> values, string name)
    {
        if (!values.Remove(name, out var value)) return null;
        return value is long number ? number : throw Malformed($"member '{name}' is not an integer");
    }

    private static Guid? OptionalGuid(Dictionary<string, object> values, string name) =>
        OptionalString(values, name) is { } text ? Guid.ParseExact(text, "D") : null;

    private static AuditFormatException Missing(string name) => Malformed($"member '{name}' is missing");

    private static AuditFormatException Malformed(string why) => new(why);
}

/// <summary>A stored audit record that is not a canonical record.</summary>
internal sealed class AuditFormatException(string message) : Exception(message);
