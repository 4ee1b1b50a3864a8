using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SecureVault.Audit;
using SecureVault.Storage;

namespace SecureVault.Tests;

/// <summary>
/// Audit records are canonical JSON (RFC 8785 for a flat object of strings and integers): the
/// bytes stored are exactly the sorted, compact form, and anything else (another order, spacing,
/// escaping, number form, a repeated, unknown or missing member) is refused when read, so what is
/// shown is what was hashed and signed.
/// </summary>
public sealed class AuditRecordFormatTests : IClassFixture<AuditRecordFormatTests.History>
{
    private readonly History _history;

    public AuditRecordFormatTests(History history) => _history = history;

    /// <summary>The records of a real vault with every shape of record: targets, counts, details, a keyslot, unsigned ones.</summary>
    public sealed class History
    {
        public History()
        {
            using var vault = new TestVault();
            Secrets.WriteText(vault.Engine, "alpha", "a");
            Secrets.ReadText(vault.Engine, "alpha");
            vault.Engine.ListKeys();
            Assert.Throws<VaultAuthenticationException>(() => vault.Engine.Unlock(TestVault.WrongPassword, "nobody"));
            vault.Engine.SetAuditPolicy(retentionDays: 10);
            vault.Engine.ChangePassword(TestVault.Password, "a new passphrase for the owner"u8);
            vault.Engine.PruneAudit();
            vault.Release();
            using var file = new RawVaultFile(vault.Path);
            Rows = RawAuditLog.All(file);
        }

        public IReadOnlyList<AuditRow> Rows { get; }

        /// <summary>A 'set' record: it has a target, a sealed name and a version.</summary>
        public string SetRecord => Encoding.UTF8.GetString(Rows.Single(r => r.Action == "set").Record);
    }

    [Fact]
    public void Every_stored_record_is_compact_json_with_members_in_sorted_order()
    {
        Assert.Equal(new[] { "create", "set", "get", "list", "unlock", "policy", "password", "prune", "lock" }, _history.Rows.Select(r => r.Action));
        foreach (var row in _history.Rows)
        {
            var text = Encoding.UTF8.GetString(row.Record);
            using var document = JsonDocument.Parse(row.Record);
            var members = document.RootElement.EnumerateObject().ToList();

            var names = members.Select(m => m.Name).ToList();
            Assert.Equal(names.Order(StringComparer.Ordinal), names);
            Assert.Equal(names.Count, names.Distinct().Count());
            // Rebuilt from the parsed members with nothing between them: equal only if the stored text is compact.
            Assert.Equal("{" + string.Join(",", members.Select(m => $"\"{m.Name}\":{m.Value.GetRawText()}")) + "}", text);
            foreach (var member in members.Where(m => m.Value.ValueKind == JsonValueKind.Number))
                Assert.Matches("^-?(0|[1-9][0-9]*)$", member.Value.GetRawText());
            Assert.DoesNotContain(members, m => m.Value.ValueKind is not (JsonValueKind.Number or JsonValueKind.String));
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", document.RootElement.GetProperty("time").GetString());
            Assert.Equal(row.Record, AuditEntry.Parse(row.Record).ToCanonicalJson());
        }
    }

    [Fact]
    public void Strings_are_escaped_exactly_as_rfc_8785_requires()
    {
        var entry = AuditEntry.Parse(Encoding.UTF8.GetBytes(_history.SetRecord)) with { Detail = "q\"b\\s\b\f\n\r\t\u0001\u001f/é€\U0001F600" };

        var json = entry.ToCanonicalJson();

        // Quote, backslash and control characters only; the short forms where JSON has one, else
        // \u00xx in lower case; '/' and every non-ASCII character as raw UTF-8.
        Assert.Contains("\"detail\":\"q\\\"b\\\\s\\b\\f\\n\\r\\t\\u0001\\u001f/é€\U0001F600\",", Encoding.UTF8.GetString(json), StringComparison.Ordinal);
        Assert.Equal(entry, AuditEntry.Parse(json));
    }

    public static TheoryData<string> NonCanonicalForms() =>
    [
        "reordered", "space after colon", "space after comma", "leading space", "trailing newline", "pretty printed",
        "repeated member", "repeated member with the same value", "unknown member at the end", "unknown member in sorted place",
        "missing member", "escaped letter", "escaped non-ascii", "upper-case escape", "fraction", "exponent", "leading zero",
        "integer as string", "string as integer", "nested object", "array", "trailing content", "time with offset", "time without milliseconds",
    ];

    [Theory]
    [MemberData(nameof(NonCanonicalForms))]
    public void A_record_not_in_canonical_form_is_refused(string form)
    {
        var record = _history.SetRecord;
        var changed = form switch
        {
            "reordered" => Regex.Replace(record, "^\\{(\"action\":\"set\"),(\"actor\":\"[^\"]+\")", "{$2,$1"),
            "space after colon" => record.Replace("\"action\":", "\"action\": ", StringComparison.Ordinal),
            "space after comma" => record.Replace(",\"host\"", ", \"host\"", StringComparison.Ordinal),
            "leading space" => " " + record,
            "trailing newline" => record + "\n",
            "pretty printed" => JsonSerializer.Serialize(JsonDocument.Parse(record).RootElement, new JsonSerializerOptions { WriteIndented = true }),
            "repeated member" => record.Replace("{", "{\"action\":\"get\",", StringComparison.Ordinal),
            "repeated member with the same value" => record.Replace("{", "{\"action\":\"set\",", StringComparison.Ordinal),
            "unknown member at the end" => record[..^1] + ",\"zzz\":\"1\"}",
            "unknown member in sorted place" => record.Replace(",\"host\"", ",\"comment\":\"x\",\"host\"", StringComparison.Ordinal),
            "missing member" => Regex.Replace(record, ",\"host\":\"[^\"]*\"", ""),
            "escaped letter" => record.Replace("\"set\"", "\"s\\u0065t\"", StringComparison.Ordinal),
            "escaped non-ascii" => Regex.Replace(record, "(\"actor\":\"[^\"]+\",)", "$1\"detail\":\"\\u00e9\","),
            "upper-case escape" => Regex.Replace(record, "(\"actor\":\"[^\"]+\",)", "$1\"detail\":\"\\u001F\","),
            "fraction" => record.Replace("\"version\":1", "\"version\":1.0", StringComparison.Ordinal),
            "exponent" => record.Replace("\"version\":1", "\"version\":1e0", StringComparison.Ordinal),
            "leading zero" => record.Replace("\"version\":1", "\"version\":01", StringComparison.Ordinal),
            "integer as string" => record.Replace("\"version\":1", "\"version\":\"1\"", StringComparison.Ordinal),
            "string as integer" => Regex.Replace(record, "\"host\":\"[^\"]*\"", "\"host\":7"),
            "nested object" => Regex.Replace(record, "(\"actor\":\"[^\"]+\",)", "$1\"count\":{},"),
            "array" => "[" + record + "]",
            "trailing content" => record + "{}",
            "time with offset" => Regex.Replace(record, "(\"time\":\"[^\"]+)Z\"", "$1+00:00\""),
            _ => Regex.Replace(record, "(\"time\":\"[^\".]+)\\.\\d{3}Z\"", "$1Z\""),
        };
        Assert.NotEqual(record, changed);

        Assert.Throws<AuditFormatException>(() => AuditEntry.Parse(Encoding.UTF8.GetBytes(changed)));
    }

    [Fact]
    public void The_untouched_record_parses()
    {
        var entry = AuditEntry.Parse(Encoding.UTF8.GetBytes(_history.SetRecord));

        Assert.Equal(("set", "success", (int?)1), (entry.Action, entry.Outcome, entry.Version));
        Assert.NotNull(entry.Target);
        Assert.NotNull(entry.TargetName);
    }
}
