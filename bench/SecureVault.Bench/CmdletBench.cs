using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace SecureVault.Bench;

/// <summary>
/// Cmdlet figures at one vault size, through a hosted runspace. ExtensionGetSecretInfo and
/// ExtensionGetSecret are the SecretManagement path: SecureVault.Extension\Get-SecretInfo -Filter
/// &lt;exact existing name&gt; and SecureVault.Extension\Get-Secret -Name &lt;name&gt;, each run through
/// the script SecretManagement runs per call.
/// </summary>
public sealed record CmdletSizeResult(int Keys, LatencySummary GetVaultKey, LatencySummary SetVaultKey, double GetVaultKeyInfoAllMedianMs, double[] GetVaultKeyInfoAllRunsMs,
    LatencySummary ExtensionGetSecretInfo, LatencySummary ExtensionGetSecret, double PeakWorkingSetMiB);

/// <summary>
/// Drives the BUILT module (out/SecureVault) in an in-process PowerShell: one runspace, one
/// reused PowerShell instance, commands added with AddCommand/AddParameter (no script text to
/// parse per call). This measures what a script calling the cmdlets in a loop pays on top of
/// the engine: parameter binding, the pipeline, output objects. The SecretManagement extension
/// commands run through SecretManagement's own per-call script instead (see <see cref="SecretManagementScript"/>).
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

    /// <summary>
    /// SecretManagement's per-call script reaches its steady state much later than a cmdlet call: in a
    /// new process, 2-second windows of Get-SecretInfo calls had a p50 of 4.4, 2.5 and 1.3 ms, then
    /// 1.0-1.15 ms from about 8 s on (PowerShell's script compilation and the JIT of the engine code
    /// it runs). 15 s leaves a margin; the figures are about the steady state, as the others are.
    /// </summary>
    private static readonly TimeSpan ExtensionWarmupTime = TimeSpan.FromSeconds(15);

    /// <summary>The root module, which SecretManagement looks up by name, and its extension nested module.</summary>
    private const string ModuleName = "SecureVault";
    private const string ExtensionModuleName = "SecureVault.Extension";

    /// <summary>The name the vault is registered under, as SecretManagement passes it in VaultName.</summary>
    private const string RegisteredVaultName = "Team";

    /// <summary>
    /// The script SecretManagement runs for every call of an extension command (RunCommandScript in
    /// PowerShell/SecretManagement, src/code/Utils.cs), with the same statements: find the module,
    /// then call the nested module's command in the root module's scope with the parameters splatted.
    /// SecretManagement adds it as a script command in a local scope with errors merged into the
    /// output, and passes five positional arguments; <see cref="InvokeExtension"/> does the same.
    /// </summary>
    private const string SecretManagementScript = """
        param (
            [string] $ModuleName,
            [string] $ModulePath,
            [string] $ImplementingModuleName,
            [string] $Command,
            [hashtable] $Params
        )

        $verboseEnabled = $Params.AdditionalParameters.ContainsKey('Verbose') -and ($Params.AdditionalParameters['Verbose'] -eq $true)
        $module = Get-Module -Name $ModuleName -ErrorAction Ignore
        if ($null -eq $module) {
            $module = Import-Module -Name $ModulePath -PassThru
        }
        if ($null -eq $module) {
            return
        }
        Write-Verbose "Invoking command $Command on module $ImplementingModuleName" -Verbose:$verboseEnabled
        & $module "$ImplementingModuleName\$Command" @Params
        """;

    private readonly BenchOptions _options;
    private readonly TextWriter _log;
    private readonly Runspace _runspace;
    private readonly PowerShell _shell;
    private readonly string _moduleFolder;

    private CmdletBench(BenchOptions options, TextWriter log, Runspace runspace, PowerShell shell, string moduleFolder)
    {
        _options = options;
        _log = log;
        _runspace = runspace;
        _shell = shell;
        _moduleFolder = moduleFolder;
    }

    /// <summary>True when this runspace has no Write-Verbose and the script calls <see cref="WriteVerboseStandInCommand"/>.</summary>
    public bool WriteVerboseStandInUsed { get; private set; }

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
        var bench = new CmdletBench(options, log, runspace, shell, Path.GetDirectoryName(paths.ModuleManifest)!);
        try
        {
            var imported = bench.Invoke("Import-Module", ("Name", paths.ModuleManifest), ("PassThru", true));
            var modules = imported.Select(m => m.BaseObject).OfType<PSModuleInfo>().ToList();
            var exported = modules.SelectMany(m => m.ExportedCmdlets.Keys).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var missing = new[] { "Unlock-Vault", "Get-VaultKey", "Set-VaultKey", "Get-VaultKeyInfo" }.Where(c => !exported.Contains(c)).ToList();
            // The extension's commands are exported by the nested module only (the root module must not shadow SecretManagement's).
            var extension = modules.SelectMany(m => m.NestedModules).FirstOrDefault(m => m.Name == ExtensionModuleName);
            missing.AddRange(new[] { "Get-SecretInfo", "Get-Secret" }.Where(c => extension?.ExportedCmdlets.ContainsKey(c) != true).Select(c => $"{ExtensionModuleName}\\{c}"));
            if (missing.Count > 0) throw new InvalidOperationException($"the module does not export {string.Join(", ", missing)}");
            if (bench.Invoke("Get-Command", ("Name", "Write-Verbose"), ("ErrorAction", ActionPreference.Ignore)).Count == 0)
            {
                bench.Invoke("Import-Module", ("Assembly", new[] { typeof(WriteVerboseStandInCommand).Assembly }));
                bench.WriteVerboseStandInUsed = true;
            }
            log.WriteLine($"  imported {paths.ModuleManifest}{(bench.WriteVerboseStandInUsed ? " (and a stand-in Write-Verbose cmdlet: this host has no Microsoft.PowerShell.Utility)" : "")}");
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

        // The SecretManagement path. Get-Secret without -Vault first asks the default vault's
        // Get-SecretInfo -Filter <name>: with an exact name it must be a blind-index lookup, flat in N.
        warmup.Restart();
        while (warmup.Elapsed < ExtensionWarmupTime)
        {
            var name = RandomKey();
            SecretInfo(workingPath, name);
            Secret(workingPath, name);
        }
        var infos = new Samples(_options.Ops);
        var secrets = new Samples(_options.Ops);
        for (int i = 0; i < _options.Ops; i++)
        {
            var name = RandomKey();
            infos.Time(() => SecretInfo(workingPath, name));
            secrets.Time(() => Secret(workingPath, name));
        }
        _log.WriteLine($"    SecureVault.Extension\\Get-SecretInfo -Filter <name> p50 {infos.PercentileMs(50):F4} ms  p99 {infos.PercentileMs(99):F4} ms");
        _log.WriteLine($"    SecureVault.Extension\\Get-Secret -Name <name>       p50 {secrets.PercentileMs(50):F4} ms  p99 {secrets.PercentileMs(99):F4} ms");

        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new CmdletSizeResult(vault.Keys, gets.Summarize(), sets.Summarize(), Math.Round(lists.MedianMs, 1),
            lists.AllMs().Select(ms => Math.Round(ms, 1)).ToArray(), infos.Summarize(), secrets.Summarize(),
            Math.Round(process.PeakWorkingSet64 / 1048576.0, 1));
    }

    private void GetPlain(string vault, string name)
    {
        var output = Invoke("Get-VaultKey", ("Vault", vault), ("Name", name), ("AsPlainText", true));
        if (output.Count != 1 || output[0].BaseObject is not string { Length: BenchData.ValueBytes })
            throw new InvalidOperationException($"Get-VaultKey -AsPlainText of '{name}' did not return the stored string.");
    }

    private void SecretInfo(string vault, string name)
    {
        var output = InvokeExtension("Get-SecretInfo", new Hashtable { ["Filter"] = name, ["VaultName"] = RegisteredVaultName, ["AdditionalParameters"] = VaultParameters(vault) });
        // The contract's type (here the bench's stand-in, see SecretManagementStandIns.cs), not the extension's plain-object fallback.
        if (output.Count != 1 || output[0].BaseObject is not Microsoft.PowerShell.SecretManagement.SecretInformation info || info.Name != name)
            throw new InvalidOperationException($"SecureVault.Extension\\Get-SecretInfo -Filter '{name}' returned {output.Count} objects, expected one SecretInformation for that name.");
    }

    private void Secret(string vault, string name)
    {
        var output = InvokeExtension("Get-Secret", new Hashtable { ["Name"] = name, ["VaultName"] = RegisteredVaultName, ["AdditionalParameters"] = VaultParameters(vault) });
        if (output.Count != 1 || output[0].BaseObject is not System.Security.SecureString { Length: BenchData.ValueBytes } value)
            throw new InvalidOperationException($"SecureVault.Extension\\Get-Secret -Name '{name}' did not return the stored value as a SecureString.");
        value.Dispose();
    }

    /// <summary>AdditionalParameters as SecretManagement builds them: the registration's VaultParameters plus Verbose.</summary>
    private static Hashtable VaultParameters(string vault) => new() { ["Vault"] = vault, ["Verbose"] = false };

    /// <summary>
    /// Runs one extension command the way SecretManagement does (PowerShellInvoker.InvokeScriptWithHost):
    /// <see cref="SecretManagementScript"/> as a script command in a local scope, errors merged into
    /// the output, the five arguments positional. SecretManagement makes a new PowerShell object per
    /// call on its one runspace; this reuses one, as the cmdlet figures do. Any error fails the run.
    /// </summary>
    private Collection<PSObject> InvokeExtension(string command, Hashtable parameters)
    {
        _shell.Commands.Clear();
        _shell.Streams.ClearStreams();
        var script = new Command(SecretManagementScript, isScript: true, useLocalScope: true);
        script.MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
        _shell.Commands.AddCommand(script);
        foreach (var argument in new object[] { ModuleName, _moduleFolder, ExtensionModuleName, command, parameters })
            _shell.Commands.AddArgument(argument);
        var output = _shell.Invoke();
        if ((output.Select(o => o?.BaseObject).OfType<ErrorRecord>().FirstOrDefault() ?? _shell.Streams.Error.FirstOrDefault()) is { } error)
            throw new InvalidOperationException($"{ExtensionModuleName}\\{command} failed: {error.FullyQualifiedErrorId}: {error.Exception?.Message}");
        return output;
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
