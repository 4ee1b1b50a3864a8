using System.CommandLine;
using System.Globalization;
using SecureVault.Cli.Output;
using SecureVault.Rotation;
using SecureVault.Values;

namespace SecureVault.Cli.Commands;

/// <summary>
/// <c>securevault history NAME</c>: the kept versions of a key, newest first, with when and by whom
/// each was written and until when a replaced one can still be read with <c>get --version</c>.
/// Never a value.
/// </summary>
internal sealed class HistoryCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Argument<string> _name = KeyNameArgument("The key's name.");
    private readonly Option<bool> _json = new("--json") { Description = "One JSON object per version and line (JSON Lines)." };

    public override Command Build() => Define("history", "List a key's kept versions, newest first (never their values).", _name, _json);

    protected override int Execute(ParseResult parse)
    {
        var name = KeyNames.Validate(parse.GetValue(_name));
        var versions = Common.Unlocked(parse, engine => engine.GetKeyHistory(name));
        if (parse.GetValue(_json)) WriteJson(versions);
        else WriteTable(versions);
        return ExitCodes.Ok;
    }

    private static void WriteJson(IEnumerable<VaultKeyVersionInfo> versions)
    {
        foreach (var version in versions)
        {
            JsonLine.Write(json =>
            {
                json.WriteString("name", version.Name);
                json.WriteNumber("version", version.Version);
                json.WriteString("created", JsonLine.Timestamp(version.Created));
                json.WriteNullable("createdBy", version.CreatedBy);
                json.WriteBoolean("isCurrent", version.IsCurrent);
                json.WriteNullable("readableUntil", version.ReadableUntil is { } until ? JsonLine.Timestamp(until) : null);
                json.WriteString("vault", version.Vault);
            });
        }
    }

    private static void WriteTable(IEnumerable<VaultKeyVersionInfo> versions)
    {
        var table = new Table("VERSION", "CREATED (UTC)", "CREATED BY", "CURRENT", "READABLE UNTIL (UTC)");
        foreach (var version in versions)
        {
            table.Add(version.Version.ToString(CultureInfo.InvariantCulture), Table.Time(version.Created), version.CreatedBy ?? "-",
                version.IsCurrent ? "yes" : "no", version.IsCurrent ? "-" : version.ReadableUntil is { } until ? Table.Time(until) : "-");
        }
        table.Write();
    }
}
