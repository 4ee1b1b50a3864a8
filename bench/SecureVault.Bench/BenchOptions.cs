namespace SecureVault.Bench;

/// <summary>The command line of the harness. Unknown arguments are an error, not ignored.</summary>
public sealed record BenchOptions
{
    public const string Usage = """
        SecureVault benchmarks (not tests): prints a table and writes JSON.

        dotnet run -c Release --project bench/SecureVault.Bench -- [options]

          --sizes 1000,10000,100000   vault sizes (keys) to measure (default: all three)
          --quick                     1k and 10k only, fewer samples (about a minute once vaults are cached)
          --ops N                     timed Sets and Gets per size (default 1000; --quick 300)
          --unlock-runs N             default-KDF unlocks to time (default 5; --quick 3)
          --audit-runs N              audit chain verifications to time, on the largest size (default 5; --quick 3)
          --out PATH                  JSON results (default <repo>/out/bench/results.json)
          --no-cmdlets                skip the hosted-PowerShell cmdlet measurements
          --no-unlock                 skip the default-KDF unlock measurement
          --no-audit                  skip the audit chain verification measurement
          --no-rotation               skip the rotation measurements (status, a rotation run, rekey)
          --rebuild                   ignore cached populated vaults and build them again
          --help                      this text
        """;

    public IReadOnlyList<int> Sizes { get; init; } = [1_000, 10_000, 100_000];
    public int Ops { get; init; } = 1000;
    public int UnlockRuns { get; init; } = 5;
    public int ListRuns { get; init; } = 5;
    public int ColdRuns { get; init; } = 30;
    public int CmdletListRuns { get; init; } = 3;
    public int AuditRuns { get; init; } = 5;
    public bool Quick { get; init; }
    public string? OutPath { get; init; }
    public bool Cmdlets { get; init; } = true;
    public bool Unlock { get; init; } = true;
    public bool Audit { get; init; } = true;
    public bool Rotation { get; init; } = true;
    public bool Rebuild { get; init; }
    public bool Help { get; init; }

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a usable message.</summary>
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        bool quick = args.Contains("--quick");
        if (quick)
        {
            options = options with { Quick = true, Sizes = [1_000, 10_000], Ops = 300, UnlockRuns = 3, ListRuns = 3, ColdRuns = 10, CmdletListRuns = 1, AuditRuns = 3 };
        }
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--quick" => options,
                "--sizes" => options with { Sizes = ParseSizes(Next()) },
                "--ops" => options with { Ops = PositiveInt(Next(), "--ops") },
                "--unlock-runs" => options with { UnlockRuns = PositiveInt(Next(), "--unlock-runs") },
                "--audit-runs" => options with { AuditRuns = PositiveInt(Next(), "--audit-runs") },
                "--out" => options with { OutPath = Path.GetFullPath(Next()) },
                "--no-cmdlets" => options with { Cmdlets = false },
                "--no-unlock" => options with { Unlock = false },
                "--no-audit" => options with { Audit = false },
                "--no-rotation" => options with { Rotation = false },
                "--rebuild" => options with { Rebuild = true },
                "--help" or "-h" or "-?" => options with { Help = true },
                var other => throw new ArgumentException($"Unknown argument '{other}'. Use --help."),
            };
        }
        return options;
    }

    private static int[] ParseSizes(string text)
    {
        var sizes = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => PositiveInt(s, "--sizes")).Distinct().Order().ToArray();
        return sizes.Length > 0 ? sizes : throw new ArgumentException("--sizes needs at least one size, e.g. 1000,10000.");
    }

    private static int PositiveInt(string text, string option) =>
        int.TryParse(text.Replace("_", ""), out int value) && value > 0
            ? value
            : throw new ArgumentException($"{option} takes positive whole numbers; '{text}' is not one.");
}
