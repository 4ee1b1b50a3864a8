using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SecureVault.Cli.Input;
using SecureVault.Cli.Output;
using SecureVault.Rotation;

namespace SecureVault.Cli.Commands.Rotation;

/// <summary>
/// <c>securevault rotation policy [PATTERN] [--max-age D] [--warning D] [--grace D] [--versions-kept N] [--inherit]</c>:
/// shows the vault-wide default policy (no PATTERN) or the effective policy of the matching keys;
/// with any of the value options it changes them first (Admins only) and shows the result. Values a
/// key does not set itself follow the default, now and after the default changes.
/// </summary>
internal sealed class RotationPolicyCommand(CommonOptions common) : CliCommand(common)
{
    private readonly Argument<string?> _pattern = new("pattern")
    {
        Description = "Keys (a name or a wildcard pattern) whose own policy to show or change. Default: the vault-wide default policy.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<string?> _maxAge = new("--max-age") { Description = "How long a version may be used: days (90) or [d.]hh:mm:ss.", HelpName = "duration" };
    private readonly Option<string?> _warning = new("--warning") { Description = "How long before the due date reads start to warn (at most --max-age).", HelpName = "duration" };
    private readonly Option<string?> _grace = new("--grace") { Description = "How long after the due date reads still work (with a warning) before they are blocked.", HelpName = "duration" };
    private readonly Option<int?> _versionsKept = new("--versions-kept") { Description = "How many versions of a key are kept (1-100).", HelpName = "N" };
    private readonly Option<bool> _inherit = new("--inherit") { Description = "Drop the keys' own values first, so they follow the default again (other options given then set new own values)." };
    private readonly Option<bool> _json = new("--json") { Description = "One JSON object per policy and line (JSON Lines); durations in seconds." };

    public override Command Build() => Define("policy",
        "Show the rotation policy (the default, or the keys matching PATTERN); with --max-age, --warning, --grace, --versions-kept or --inherit, change it.",
        _pattern, _maxAge, _warning, _grace, _versionsKept, _inherit, _json);

    protected override int Execute(ParseResult parse)
    {
        var pattern = parse.GetValue(_pattern);
        // Everything is checked before the password is asked for.
        var change = new RotationPolicyChange(
            DurationArgument.Parse(parse.GetValue(_maxAge), "--max-age"),
            DurationArgument.Parse(parse.GetValue(_warning), "--warning"),
            DurationArgument.Parse(parse.GetValue(_grace), "--grace"),
            parse.GetValue(_versionsKept),
            parse.GetValue(_inherit));
        if (change.Inherit && pattern is null)
            throw new CliUsageException("--inherit applies to keys: name them (a name or a pattern). The default policy has nothing to inherit from.");
        bool changing = change != new RotationPolicyChange();

        var policies = Common.Unlocked<IReadOnlyList<VaultRotationPolicyInfo>>(parse, engine => (changing, pattern) switch
        {
            (false, null) => [engine.GetDefaultRotationPolicy()],
            (false, _) => engine.GetRotationPolicy(pattern),
            (true, null) => [engine.SetDefaultRotationPolicy(change)],
            (true, _) => engine.SetRotationPolicy(pattern, change),
        });
        if (parse.GetValue(_json)) WriteJson(policies);
        else WriteTable(policies);
        return ExitCodes.Ok;
    }

    /// <summary>The three durations as seconds (fractions kept), shared with the status output.</summary>
    public static void WriteDurations(Utf8JsonWriter json, TimeSpan maxAge, TimeSpan warning, TimeSpan grace)
    {
        json.WriteNumber("maxAgeSeconds", maxAge.TotalSeconds);
        json.WriteNumber("warningSeconds", warning.TotalSeconds);
        json.WriteNumber("graceSeconds", grace.TotalSeconds);
    }

    private static void WriteJson(IEnumerable<VaultRotationPolicyInfo> policies)
    {
        foreach (var policy in policies)
        {
            JsonLine.Write(json =>
            {
                json.WriteString("scope", policy.Scope);
                WriteDurations(json, policy.MaxAge, policy.Warning, policy.Grace);
                json.WriteNumber("versionsKept", policy.VersionsKept);
                json.WriteStartArray("overrides");
                foreach (var name in policy.Overrides) json.WriteStringValue(name);
                json.WriteEndArray();
                json.WriteString("vault", policy.Vault);
            });
        }
    }

    private static void WriteTable(IEnumerable<VaultRotationPolicyInfo> policies)
    {
        var table = new Table("SCOPE", "MAX AGE", "WARNING", "GRACE", "VERSIONS KEPT", "OWN VALUES");
        foreach (var policy in policies)
        {
            table.Add(policy.Scope, VaultRotationPolicy.Describe(policy.MaxAge), VaultRotationPolicy.Describe(policy.Warning),
                VaultRotationPolicy.Describe(policy.Grace), policy.VersionsKept.ToString(CultureInfo.InvariantCulture),
                policy.Overrides.Length == 0 ? "-" : string.Join(",", policy.Overrides));
        }
        table.Write();
    }
}
