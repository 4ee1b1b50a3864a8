using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;

namespace SecureVault.PowerShell.Tests;

/// <summary>
/// Shared by every hosted test: finds the assembled module (built by ./build.sh), points
/// SECUREVAULT_HOME at a temporary folder so nothing touches the user's vaults, and loads a
/// different Microsoft.Data.Sqlite into the default load context before the module is imported.
/// </summary>
public sealed class ModuleFixture : IDisposable
{
    public ModuleFixture()
    {
        RepositoryRoot = FindRepositoryRoot();
        ModuleManifest = Path.Combine(RepositoryRoot, "out", "SecureVault", "SecureVault.psd1");
        if (!File.Exists(ModuleManifest))
            throw new InvalidOperationException($"The assembled module is missing at {ModuleManifest}: run ./build.sh first.");
        Home = Directory.CreateTempSubdirectory("securevault-ps-").FullName;
        Environment.SetEnvironmentVariable("SECUREVAULT_HOME", Home);
        Environment.SetEnvironmentVariable("SECUREVAULT_VAULT", null);
        HostSqliteVersion = SqliteInDefaultContext.LoadAndUse();
    }

    public string RepositoryRoot { get; }
    public string ModuleManifest { get; }
    public string Home { get; }

    /// <summary>The Microsoft.Data.Sqlite version the host itself loaded and used before the module.</summary>
    public Version HostSqliteVersion { get; }

    /// <summary>A new runspace with the module imported, on PowerShell's UI-less default host or on <paramref name="host"/>.</summary>
    public Runspace NewRunspace(System.Management.Automation.Host.PSHost? host = null)
    {
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule(ModuleManifest);
        var runspace = host is null ? RunspaceFactory.CreateRunspace(state) : RunspaceFactory.CreateRunspace(host, state);
        runspace.Open();
        return runspace;
    }

    /// <summary>A fresh vault path in its own folder.</summary>
    public string NewVaultPath() => Path.Combine(Directory.CreateTempSubdirectory("securevault-ps-vault-").FullName, "test.vault");

    public static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (char c in text) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SecureVault.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Cannot find the repository root (SecureVault.slnx) above " + AppContext.BaseDirectory);
    }

    public void Dispose()
    {
        try { Directory.Delete(Home, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class ModuleCollection : ICollectionFixture<ModuleFixture>
{
    public const string Name = "Module";
}

/// <summary>Uses the host's own Microsoft.Data.Sqlite (a different version than the module ships).</summary>
internal static class SqliteInDefaultContext
{
    public static Version LoadAndUse()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 40 + 2";
        if (Convert.ToInt32(command.ExecuteScalar()) != 42) throw new InvalidOperationException("host SQLite is broken");
        return typeof(Microsoft.Data.Sqlite.SqliteConnection).Assembly.GetName().Version!;
    }
}

/// <summary>
/// One runspace with the module, one vault, and helpers to run commands the way a user would.
/// The vault is created unlocked with cheap KDF parameters unless told otherwise.
/// </summary>
public sealed class HostedVault : IDisposable
{
    public const string PasswordText = "correct horse battery staple";

    public HostedVault(ModuleFixture fixture, bool create = true)
    {
        Fixture = fixture;
        Runspace = fixture.NewRunspace();
        VaultPath = fixture.NewVaultPath();
        if (create)
        {
            Invoke("$null = New-Vault -Vault $v -Password $p -Principal owner -KdfMemoryMiB 1 -KdfIterations 1 -KdfParallelism 1",
                ("v", VaultPath), ("p", Password));
        }
    }

    public ModuleFixture Fixture { get; }
    public Runspace Runspace { get; }
    public string VaultPath { get; }
    public static SecureString Password => ModuleFixture.Secure(PasswordText);

    /// <summary>Runs a script with named variables; returns its output, errors (terminating errors included), warnings and progress.</summary>
    public Result Run(string script, params (string Name, object? Value)[] variables)
    {
        using var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = Runspace;
        foreach (var (name, value) in variables) Runspace.SessionStateProxy.SetVariable(name, value);
        ps.AddScript(script);
        try
        {
            var output = ps.Invoke();
            return new Result(output, ps.Streams.Error.ToList(), null) { Warnings = Warnings(ps), Progress = ps.Streams.Progress.ToList() };
        }
        catch (RuntimeException e)
        {
            return new Result(new Collection<PSObject>(), ps.Streams.Error.ToList(), e.ErrorRecord) { Warnings = Warnings(ps), Progress = ps.Streams.Progress.ToList() };
        }
    }

    private static List<string> Warnings(System.Management.Automation.PowerShell ps) => ps.Streams.Warning.Select(w => w.Message).ToList();

    /// <summary>Runs a script that must succeed without errors.</summary>
    public Collection<PSObject> Invoke(string script, params (string Name, object? Value)[] variables)
    {
        var result = Run(script, variables);
        var problems = result.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message).ToList();
        if (result.Terminating != null) problems.Add(result.Terminating.FullyQualifiedErrorId + ": " + result.Terminating.Exception.Message);
        Assert.True(problems.Count == 0, "Unexpected errors: " + string.Join(" | ", problems));
        return result.Output;
    }

    public void Dispose()
    {
        Invoke("Lock-Vault -Vault $v", ("v", VaultPath));
        Runspace.Dispose();
        try { Directory.Delete(Path.GetDirectoryName(VaultPath)!, recursive: true); } catch (IOException) { }
    }

    public sealed record Result(Collection<PSObject> Output, List<ErrorRecord> Errors, ErrorRecord? Terminating)
    {
        /// <summary>The warnings written, as text.</summary>
        public List<string> Warnings { get; init; } = [];

        /// <summary>The progress records written.</summary>
        public List<ProgressRecord> Progress { get; init; } = [];

        /// <summary>Every error id, terminating or not.</summary>
        public IEnumerable<string> ErrorIds => Errors.Select(e => e.FullyQualifiedErrorId)
            .Concat(Terminating is null ? [] : [Terminating.FullyQualifiedErrorId]);
    }
}
