using System.CommandLine;
using System.Globalization;
using SecureVault.Cli.Output;

namespace SecureVault.Cli.Commands;

/// <summary>
/// <c>securevault check</c>: the whole-vault consistency check (Test-Vault). Prints one line per
/// finding and a summary; exit code 0 when the vault is consistent, <see cref="ExitCodes.Integrity"/>
/// when it is not, so <c>securevault check || restore</c> works in scripts.
/// </summary>
internal sealed class CheckCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Option<string?> _anchor = new("--anchor")
    {
        Description = "An audit head exported earlier ('securevault audit head'); the log must still contain its record.",
        HelpName = "file",
    };

    private readonly Option<bool> _json = new("--json") { Description = "Print the full report as one JSON object." };

    public override Command Build() => Define("check",
        "Check the whole vault: SQLite's integrity check, the audit chain, and every row against the signed log; exit code 5 when it is not consistent.",
        _anchor, _json);

    protected override int Execute(ParseResult parse)
    {
        // A missing or forged anchor fails before the password is asked for.
        var anchor = parse.GetValue(_anchor) is { } path ? AuditAnchor.Load(Path.GetFullPath(path)) : null;
        var report = Common.Unlocked(parse, engine => engine.CheckVault(anchor));
        if (parse.GetValue(_json)) WriteJson(report);
        else WriteText(report);
        return report.IsConsistent ? ExitCodes.Ok : ExitCodes.Integrity;
    }

    private static void WriteText(VaultCheckReport report)
    {
        foreach (var finding in report.Findings) StandardOutput.WriteLine(finding.ToString());
        var counts = string.Create(CultureInfo.InvariantCulture,
            $"{report.KeysChecked} keys, {report.VersionsChecked} versions, {report.PrincipalsChecked} principals, {report.KeyslotsChecked} keyslots, {report.GrantsChecked} grants, {report.AuditRecordsChecked} audit records");
        StandardOutput.WriteLine(report.IsConsistent
            ? $"consistent: {counts}"
            : $"NOT CONSISTENT: {report.Findings.Count} finding(s) in {counts}. Restore the vault from a backup ('securevault restore-backup').");
    }

    private static void WriteJson(VaultCheckReport report) => JsonLine.Write(json =>
    {
        json.WriteString("vault", report.Vault);
        json.WriteBoolean("consistent", report.IsConsistent);
        json.WriteStartArray("findings");
        foreach (var finding in report.Findings)
        {
            json.WriteStartObject();
            json.WriteString("kind", finding.Kind.ToString());
            json.WriteString("table", finding.Table);
            json.WriteNullable("name", finding.Name);
            json.WriteNullable("id", finding.Id?.ToString("D"));
            json.WriteNullable("version", finding.Version);
            json.WriteNullable("auditSeq", finding.AuditSeq);
            json.WriteString("detail", finding.Detail);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteNumber("keysChecked", report.KeysChecked);
        json.WriteNumber("versionsChecked", report.VersionsChecked);
        json.WriteNumber("principalsChecked", report.PrincipalsChecked);
        json.WriteNumber("keyslotsChecked", report.KeyslotsChecked);
        json.WriteNumber("grantsChecked", report.GrantsChecked);
        json.WriteNumber("auditRecordsChecked", report.AuditRecordsChecked);
        json.WriteNumber("durationMs", Math.Round(report.Duration.TotalMilliseconds, 1));
    });
}
