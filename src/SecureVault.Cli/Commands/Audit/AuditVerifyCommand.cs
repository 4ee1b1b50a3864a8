using System.CommandLine;
using System.Globalization;
using SecureVault.Cli.Output;

namespace SecureVault.Cli.Commands.Audit;

/// <summary>
/// <c>securevault audit verify</c>: recomputes the audit chain and says whether it is intact.
/// Exit code 0 when it is, <see cref="ExitCodes.AuditInvalid"/> when it is not, so that
/// <c>if securevault audit verify; then ...</c> works in scripts. With <c>--anchor</c> it also
/// checks that the chain still holds the record an exported head vouches for (truncation, rollback).
/// </summary>
internal sealed class AuditVerifyCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Option<string?> _anchor = new("--anchor")
    {
        Description = "An audit head exported earlier ('securevault audit head'); the chain must still contain its record.",
        HelpName = "file",
    };

    private readonly Option<bool> _json = new("--json") { Description = "Print the full report as one JSON object." };

    public override Command Build() => Define("verify", "Check the audit chain: every record in place, unaltered and signed; exit code 9 when it is not.",
        _anchor, _json);

    protected override int Execute(ParseResult parse)
    {
        // A missing or forged anchor fails before the password is asked for.
        var anchor = parse.GetValue(_anchor) is { } path ? AuditAnchor.Load(Path.GetFullPath(path)) : null;
        var result = Common.Unlocked(parse, engine => engine.VerifyAudit(anchor));
        if (parse.GetValue(_json)) WriteJson(result);
        else StandardOutput.WriteLine(Summary(result, anchor));
        return result.IsValid ? ExitCodes.Ok : ExitCodes.AuditInvalid;
    }

    /// <summary>"valid: N records" or "INVALID at record S: Reason (detail)", with what the anchor showed.</summary>
    private static string Summary(AuditVerification result, AuditAnchor? anchor)
    {
        if (!result.IsValid) return $"INVALID at record {result.FirstBadSeq}: {result.Reason} ({result.Detail})";
        var line = $"valid: {result.RecordCount.ToString(CultureInfo.InvariantCulture)} records";
        if (anchor != null)
        {
            line += result.AnchorChecked == true
                ? $"; the anchor's record {anchor.Seq} is in the chain"
                : $"; the anchor's record {anchor.Seq} was pruned, so the anchor proves nothing any more: export a newer head";
        }
        if (result.UnsignedTail > 0)
            line += $"; the newest {result.UnsignedTail} record(s) are failed authentications, chained but not yet covered by a signature";
        return line;
    }

    private static void WriteJson(AuditVerification result) => JsonLine.Write(json =>
    {
        json.WriteString("vault", result.Vault);
        json.WriteBoolean("valid", result.IsValid);
        json.WriteNumber("recordCount", result.RecordCount);
        json.WriteNullable("firstSeq", result.FirstSeq);
        json.WriteNullable("headSeq", result.HeadSeq);
        json.WriteNullable("headHash", result.HeadHash);
        json.WriteNullable("firstBadSeq", result.FirstBadSeq);
        json.WriteString("reason", result.Reason.ToString());
        json.WriteNullable("detail", result.Detail);
        json.WriteNullable("anchorChecked", result.AnchorChecked);
        json.WriteNumber("unsignedTail", result.UnsignedTail);
        json.WriteNumber("signaturesChecked", result.SignaturesChecked);
        json.WriteNumber("durationMs", Math.Round(result.Duration.TotalMilliseconds, 1));
        json.WriteNumber("recordsPerSecond", Math.Round(result.RecordsPerSecond));
    });
}
