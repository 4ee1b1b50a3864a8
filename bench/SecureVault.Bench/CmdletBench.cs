using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace SecureVault.Bench;

/// <summary>Cmdlet figures at one vault size, through a hosted runspace.</summary>
public sealed record CmdletSizeResult(int Keys, LatencySummary GetVaultKey, LatencySummary SetVaultKey, double GetVaultKeyInfoAllMedianMs, double[] GetVaultKeyInfoAllRunsMs, double PeakWorkingSetMiB);

/// <summary>
/// Drives the BUILT module (out/SecureVault) in an in-process PowerShell: one runspace, one
/// reused PowerShell instance, commands added with AddCommand/AddParameter (no script text to
/// parse per call). This measures what a script calling the cmdlets in a loop pays on top of
/// the engine: parameter binding, the pipeline, output objects.
/// </summary>
/// <remarks>
/// This process already has SecureVault.Core loaded in the default load context, so the module's
/// load-context shim never fires (the default context resolves Core first) and the cmdlets share
/// this process's engine and session table. Unlock-Vault is still called through the cmdlet, so the
/// figures hold either way.
/// </remarks>
public sealed class CmdletBench : IDisposable
{
    private static readonly TimeSpan WarmupTime = TimeSpan.FromSeconds(3);
    private readonly BenchOptions _options;
    private readonly TextWriter _log;
    private readonly Runspace _runspace;
    private readonly PowerShell _shell;

    private CmdletBench(BenchOptions options, TextWriter log, Runspace runspace, PowerShell shell)
    {
        _options = options;
        _log = log;
        _runspace = runspace;
        _shell = shell;
    }

    /// <summary>Imports the built module, or returns null with the reason it cannot.</summary>
    public static CmdletBench? TryStart(BenchPaths paths, BenchOptions options, TextWriter log, out string? skipReason)
    {
        skipReason = null;
        if (!File.Exists(paths.ModuleManifest))
        {
            skipReason = $"the built module {Path.GetRelativePath(paths.RepoRoot, paths.ModuleManifest)} does not exist yet: run ./build.sh first";
            return null;
        }
        var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        // One pipeline thread for every invocation, like a script running its loop in one session
        // (the default for a local runspace starts a new thread per Invoke, a cost no script pays).
        runspace.ThreadOptions = PSThreadOptions.ReuseThread;
        runspace.Open();
        var shell = PowerShell.Create();
        shell.Runspace = runspace;
        var bench = new CmdletBench(options, log, runspace, shell);
        try
        {
            var imported = bench.Invoke("Import-Module", ("Name", paths.ModuleManifest), ("PassThru", true));
            var exported = imported.Select(m => m.BaseObject).OfType<PSModuleInfo>().SelectMany(m => m.ExportedCmdlets.Keys).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var missing = new[] { "Unlock-Vault", "Get-VaultKey", "Set-VaultKey", "Get-VaultKeyInfo" }.Where(c => !exported.Contains(c)).ToList();
            if (missing.Count > 0) throw new InvalidOperationException($"the module does not export {string.Join(", ", missing)}");
            log.WriteLine($"  imported {paths.ModuleManifest}");
            return bench;
        }
        catch (Exception e) when (e is InvalidOperationException or RuntimeException)
        {
            skipReason = $"the built module could not be used: {e.Message}";
            bench.Dispose();
            return null;
        }
    }

    /// <summary>
    /// How many copies of the engine assembly this process holds once the cmdlets have run: 1 means
    /// the module bound to the bench's own copy and shares its session table (see the remarks above).
    /// </summary>
    public static int EngineCopiesLoaded() =>
        System.Runtime.Loader.AssemblyLoadContext.All.SelectMany(c => c.Assemblies).Count(a => a.GetName().Name == "SecureVault.Core");

    public CmdletSizeResult Run(PopulatedVault vault, string workingPath)
    {
        using (var password = BenchData.PasswordAsSecureString())
        {
            Invoke("Unlock-Vault", ("Vault", workingPath), ("Password", password));
        }
        var random = new Random(vault.Keys + 1);
        string RandomKey() => BenchData.KeyName(random.Next(vault.Keys));

        // Warm-up for a fixed time, as in the engine measurement: PowerShell's binder and our cmdlets get JIT-optimized too.
        var warmup = System.Diagnostics.Stopwatch.StartNew();
        while (warmup.Elapsed < WarmupTime) GetPlain(workingPath, RandomKey());
        warmup.Restart();
        while (warmup.Elapsed < WarmupTime)
            Invoke("Set-VaultKey", ("Vault", workingPath), ("Name", RandomKey()), ("Value", BenchData.NewPlainValue()));

        var gets = new Samples(_options.Ops);
        for (int i = 0; i < _options.Ops; i++)
        {
            var name = RandomKey();
            gets.Time(() => GetPlain(workingPath, name));
        }
        _log.WriteLine($"    Get-VaultKey p50 {gets.PercentileMs(50):F4} ms  p99 {gets.PercentileMs(99):F4} ms");

        // Listing all keys runs before the Sets add keys, so it returns exactly N objects (plus none).
        var lists = new Samples(_options.CmdletListRuns);
        for (int i = 0; i < _options.CmdletListRuns; i++)
        {
            Collection<PSObject>? listed = null;
            lists.Time(() => listed = Invoke("Get-VaultKeyInfo", ("Vault", workingPath)));
            // The engine measurement before this one added Ops/2 new keys to the working copy.
            if (listed!.Count < vault.Keys) throw new InvalidOperationException($"Get-VaultKeyInfo returned {listed.Count} keys, expected at least {vault.Keys}.");
        }
        _log.WriteLine($"    Get-VaultKeyInfo (all) median {lists.MedianMs:F1} ms");

        var sets = new Samples(_options.Ops);
        for (int i = 0; i < _options.Ops; i++)
        {
            var name = (i & 1) == 1 ? $"cmdlet-new-{i:D7}" : RandomKey();
            var value = BenchData.NewPlainValue();
            sets.Time(() => Invoke("Set-VaultKey", ("Vault", workingPath), ("Name", name), ("Value", value)));
        }
        _log.WriteLine($"    Set-VaultKey p50 {sets.PercentileMs(50):F4} ms  p99 {sets.PercentileMs(99):F4} ms");

        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new CmdletSizeResult(vault.Keys, gets.Summarize(), sets.Summarize(), Math.Round(lists.MedianMs, 1),
            lists.AllMs().Select(ms => Math.Round(ms, 1)).ToArray(), Math.Round(process.PeakWorkingSet64 / 1048576.0, 1));
    }

    private void GetPlain(string vault, string name)
    {
        var output = Invoke("Get-VaultKey", ("Vault", vault), ("Name", name), ("AsPlainText", true));
        if (output.Count != 1 || output[0].BaseObject is not string { Length: BenchData.ValueBytes })
            throw new InvalidOperationException($"Get-VaultKey -AsPlainText of '{name}' did not return the stored string.");
    }

    /// <summary>Runs one command on the reused PowerShell instance; any error record fails the run.</summary>
    private Collection<PSObject> Invoke(string command, params (string Name, object Value)[] parameters)
    {
        _shell.Commands.Clear();
        _shell.Streams.ClearStreams();
        _shell.AddCommand(command);
        foreach (var (name, value) in parameters)
        {
            if (value is true) _shell.AddParameter(name); // a switch
            else _shell.AddParameter(name, value);
        }
        var output = _shell.Invoke();
        if (_shell.Streams.Error.Count > 0)
        {
            var error = _shell.Streams.Error[0];
            throw new InvalidOperationException($"{command} failed: {error.FullyQualifiedErrorId}: {error.Exception?.Message}");
        }
        return output;
    }

    public void Dispose()
    {
        _shell.Dispose();
        _runspace.Dispose();
    }
}
