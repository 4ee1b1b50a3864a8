using System.Runtime;
using System.Runtime.InteropServices;

namespace SecureVault.Bench;

/// <summary>Everything one run measured; serialized as the JSON results file.</summary>
public sealed record BenchResults(
    MachineInfo Machine,
    RunInfo Run,
    LatencySummary EcdhP256Reference,
    LatencySummary Fsync4KReference,
    IReadOnlyList<EngineSizeResult> Engine,
    CmdletResults Cmdlets,
    UnlockResult? Unlock,
    AuditResult? Audit,
    IReadOnlyList<RotationSizeResult> Rotation,
    IReadOnlyList<RatioResult> Ratios,
    IReadOnlyList<TargetCheck> Targets,
    double PeakWorkingSetMiB);

/// <summary>
/// The cmdlet measurements, or why they were skipped; how many engine assemblies were loaded (1: shared with the bench);
/// whether SecretManagement's per-call script ran with a stand-in for Write-Verbose (the hosted runspace has no Microsoft.PowerShell.Utility).
/// </summary>
public sealed record CmdletResults(string? Skipped, int? EngineCopiesLoaded, bool? WriteVerboseStandIn, IReadOnlyList<CmdletSizeResult> Sizes);

/// <summary>How a figure at the largest size compares with the smallest (1.0 = flat).</summary>
public sealed record RatioResult(string Figure, int FromKeys, int ToKeys, double Ratio, double? Target, bool? Pass);

/// <summary>
/// One figure against its target. Pass is null when the figure has no target, or when a later
/// decision replaced the target: then <paramref name="SupersededBy"/> says which and why.
/// </summary>
public sealed record TargetCheck(string Figure, double Value, string Unit, string Target, bool? Pass, string? SupersededBy = null);

/// <summary>Options of the run, so a results file says how it was produced.</summary>
public sealed record RunInfo(string StartedUtc, double DurationSeconds, int[] Sizes, int Ops, int UnlockRuns, int ListRuns, int ColdRuns, int AuditRuns, bool Quick, int ValueBytes, string PopulationKdf, string? GitCommit, string? LoadAverageAtStart, string? LoadAverageAtEnd);

/// <summary>The machine the figures come from.</summary>
public sealed record MachineInfo(string Cpu, int Cores, string Os, string Runtime, double MemoryGiB, bool ServerGc)
{
    public static MachineInfo Current() => new(
        CpuModel(), Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription,
        Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1073741824.0, 1), GCSettings.IsServerGC);

    /// <summary>The 1, 5 and 15 minute load averages (Linux), to tell a quiet machine from a busy one.</summary>
    public static string? LoadAverage()
    {
        const string loadavg = "/proc/loadavg";
        if (!File.Exists(loadavg)) return null;
        var parts = File.ReadAllText(loadavg).Split(' ');
        return parts.Length >= 3 ? string.Join(' ', parts[..3]) : null;
    }

    private static string CpuModel()
    {
        const string cpuinfo = "/proc/cpuinfo";
        if (!File.Exists(cpuinfo)) return RuntimeInformation.ProcessArchitecture.ToString();
        var line = File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':') + 1)..].Trim();
    }
}
