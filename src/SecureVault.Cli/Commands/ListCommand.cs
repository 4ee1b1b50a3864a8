using System.CommandLine;
using System.Globalization;
using SecureVault.Cli.Output;

namespace SecureVault.Cli.Commands;

/// <summary><c>securevault list</c>: key metadata (never values) as a table or JSON lines.</summary>
internal sealed class ListCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Argument<string?> _pattern = new("pattern")
    {
        Description = "Key names to list: a name or a wildcard pattern (* ? [a-z]). Default: all.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<string[]> _tags = new("--tag") { Description = "Only keys carrying this tag; repeat to require several.", HelpName = "tag" };
    private readonly Option<string?> _service = new("--service") { Description = "Only keys of this service (wildcards allowed).", HelpName = "name" };
    private readonly Option<bool> _json = new("--json") { Description = "One JSON object per key and line (JSON Lines)." };

    public override Command Build() => Define("list", "List keys' metadata (never their values).", _pattern, _tags, _service, _json);

    protected override int Execute(ParseResult parse)
    {
        var tags = parse.GetValue(_tags);
        var filter = new KeyFilter(parse.GetValue(_pattern), tags is { Length: > 0 } ? tags : null, parse.GetValue(_service));
        var keys = Common.Unlocked(parse, engine => engine.ListKeys(filter));
        if (parse.GetValue(_json)) WriteJson(keys);
        else WriteTable(keys);
        return ExitCodes.Ok;
    }

    private static void WriteJson(IEnumerable<VaultKeyInfo> keys)
    {
        foreach (var key in keys)
        {
            JsonLine.Write(json =>
            {
                json.WriteString("name", key.Name);
                json.WriteString("type", key.Type.ToString());
                json.WriteNumber("version", key.Version);
                json.WriteStartArray("versions");
                foreach (var version in key.Versions) json.WriteNumberValue(version);
                json.WriteEndArray();
                json.WriteString("created", JsonLine.Timestamp(key.Created));
                json.WriteString("updated", JsonLine.Timestamp(key.Updated));
                json.WriteStartArray("tags");
                foreach (var tag in key.Tags) json.WriteStringValue(tag);
                json.WriteEndArray();
                json.WriteNullable("service", key.Service);
                json.WriteNullable("description", key.Description);
            });
        }
    }

    private static void WriteTable(IEnumerable<VaultKeyInfo> keys)
    {
        var table = new Table("NAME", "TYPE", "VERSION", "UPDATED (UTC)", "SERVICE", "TAGS");
        foreach (var key in keys)
        {
            table.Add(key.Name, key.Type.ToString(), key.Version.ToString(CultureInfo.InvariantCulture),
                Table.Time(key.Updated), key.Service ?? "", string.Join(",", key.Tags));
        }
        table.Write();
    }
}
