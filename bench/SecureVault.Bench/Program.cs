using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using SecureVault;
using SecureVault.Bench;
using SecureVault.Storage;

// SecureVault benchmark harness (issue 2, "Benchmarks"): not a test. Prints a table and writes JSON.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
if (options.Help)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

var paths = BenchPaths.Find();
paths.Prepare();
// Every vault here is addressed by path; the variable only guarantees that nothing can fall back to the user's real default vault.
Environment.SetEnvironmentVariable(VaultLocation.HomeVariable, paths.HomeFolder);
Environment.SetEnvironmentVariable(VaultLocation.VaultVariable, null);
var log = Console.Out;
var started = DateTime.UtcNow;
var loadAtStart = MachineInfo.LoadAverage();
var clock = Stopwatch.StartNew();

log.WriteLine($"SecureVault benchmarks: sizes {string.Join(", ", options.Sizes.Select(s => s.ToString("N0")))}, {options.Ops} ops per size{(options.Quick ? " (quick)" : "")}");
log.WriteLine("Populated vaults:");
var vaults = new PopulatedVaults(paths, log);
var prepared = options.Sizes.Select(size => vaults.Prepare(size, options.Rebuild)).ToList();

// Engine first, every size, before PowerShell is loaded: the engine's memory figures are then its own.
var engineResults = new List<EngineSizeResult>();
var engineBench = new EngineBench(options, log);
foreach (var (vault, working) in prepared)
{
    log.WriteLine($"Engine, {vault.Keys:N0} keys:");
    engineResults.Add(engineBench.Run(vault, working));
    VaultEngine.Open(working).Lock();
}

// The audit chain of the largest populated vault, on a fresh copy: the engine run grew the working copy's chain by thousands of records.
AuditResult? audit = null;
if (options.Audit)
{
    var (largest, _) = prepared[^1];
    log.WriteLine($"Audit, the chain of the {largest.Keys:N0}-key vault:");
    var auditCopy = vaults.WorkingCopy(largest, $"audit-{largest.Keys}");
    audit = new AuditBench(options, log).Run(largest, auditCopy);
    BenchPaths.TryDeleteVault(auditCopy);
}

// Then the cmdlets on the same working copies (which now also hold the engine run's new keys).
var cmdletResults = new List<CmdletSizeResult>();
string? cmdletSkip = "--no-cmdlets was given";
bool? writeVerboseStandIn = null;
if (options.Cmdlets)
{
    using var cmdletBench = CmdletBench.TryStart(paths, options, log, out cmdletSkip);
    if (cmdletBench is null)
    {
        log.WriteLine($"Cmdlet measurements skipped: {cmdletSkip}");
    }
    else
    {
        writeVerboseStandIn = cmdletBench.WriteVerboseStandInUsed;
        foreach (var (vault, working) in prepared)
        {
            log.WriteLine($"Cmdlets, {vault.Keys:N0} keys:");
            cmdletResults.Add(cmdletBench.Run(vault, working));
            VaultEngine.Open(working).Lock();
        }
    }
}

// Rotation (issue 6) on fresh copies of the populated vaults: status reads every key, a rotation run rewrites 1,000 keys, a rekey every key.
var rotationResults = new List<RotationSizeResult>();
if (options.Rotation)
{
    var rotationBench = new RotationBench(options, vaults, log);
    foreach (var (vault, _) in prepared)
    {
        log.WriteLine($"Rotation, {vault.Keys:N0} keys:");
        rotationResults.Add(rotationBench.Run(vault));
    }
}

log.WriteLine("References and unlock:");
var ecdh = CryptoReference.EcdhP256(200);
var fsync = DiskReference.Fsync4K(paths.WorkFolder, 200);
log.WriteLine($"    P-256 ECDH p50 {ecdh.P50Ms:F4} ms; 4 KiB write + fsync p50 {fsync.P50Ms:F4} ms");
var unlock = options.Unlock ? new UnlockBench(paths, options, log).Run() : null;

var ratios = TargetEvaluator.Ratios(engineResults, cmdletResults);
using var process = Process.GetCurrentProcess();
var results = new BenchResults(
    MachineInfo.Current(),
    new RunInfo(started.ToString("O"), Math.Round(clock.Elapsed.TotalSeconds, 1), options.Sizes.ToArray(), options.Ops, options.UnlockRuns,
        options.ListRuns, options.ColdRuns, options.Audit ? options.AuditRuns : 0, options.Quick, BenchData.ValueBytes, BenchData.CheapKdf.ToString(), GitCommit(paths.RepoRoot),
        loadAtStart, MachineInfo.LoadAverage()),
    ecdh, fsync, engineResults, new CmdletResults(cmdletSkip, cmdletResults.Count > 0 ? CmdletBench.EngineCopiesLoaded() : null, writeVerboseStandIn, cmdletResults), unlock, audit, rotationResults, ratios,
    TargetEvaluator.Targets(engineResults, unlock, audit, ratios),
    Math.Round(process.PeakWorkingSet64 / 1048576.0, 1));

ReportTable.Print(results, log);

var outPath = options.OutPath ?? paths.DefaultResults;
Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
File.WriteAllText(outPath, JsonSerializer.Serialize(results, new JsonSerializerOptions
{
    WriteIndented = true,
    PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
}));
log.WriteLine();
log.WriteLine($"Results written to {outPath}");

// The working copies were written by this run only; the cached populated vaults stay for the next run.
VaultEngine.LockAll();
foreach (var (_, working) in prepared) BenchPaths.TryDeleteVault(working);
return 0;

static string? GitCommit(string repoRoot)
{
    try
    {
        using var git = Process.Start(new ProcessStartInfo("git", ["-C", repoRoot, "rev-parse", "--short", "HEAD"]) { RedirectStandardOutput = true, RedirectStandardError = true });
        if (git is null) return null;
        var commit = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        return git.ExitCode == 0 && commit.Length > 0 ? commit : null;
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return null; // no git on this machine
    }
}
