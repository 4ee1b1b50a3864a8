using System.Text;

namespace SecureVault.Cli.Tests;

/// <summary>
/// A temporary folder with its own SECUREVAULT_HOME and a vault path inside it, and helpers that
/// run the tool against that vault. Nothing ever touches the user's real vaults.
/// </summary>
public sealed class CliSandbox : IDisposable
{
    /// <summary>The test vault's password (a test constant, not a real secret).</summary>
    public const string Password = "correct horse battery staple";

    /// <summary>The cheap KDF every test vault uses (1 MiB, t=1, p=1).</summary>
    public static readonly string[] CheapKdf = ["--kdf-memory-mib", "1", "--kdf-iterations", "1", "--kdf-parallelism", "1"];

    public CliSandbox()
    {
        Folder = Path.Combine(Path.GetTempPath(), "securevault-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        VaultPath = Path.Combine(Folder, "test.vault");
        Environment = new Dictionary<string, string?>
        {
            ["SECUREVAULT_HOME"] = Folder,
            // Inherited settings must not redirect a test to another vault or password.
            ["SECUREVAULT_VAULT"] = null,
            ["SECUREVAULT_PASSWORD_FILE"] = null,
        };
    }

    /// <summary>The temporary folder (also SECUREVAULT_HOME).</summary>
    public string Folder { get; }

    /// <summary>The vault every helper passes with --vault.</summary>
    public string VaultPath { get; }

    /// <summary>The environment of every run; tests may add to it.</summary>
    public Dictionary<string, string?> Environment { get; }

    /// <summary>Runs the tool on this sandbox's vault with <paramref name="stdin"/> as input.</summary>
    public Task<CliResult> Run(byte[] stdin, params string[] arguments) =>
        CliTool.RunAsync(Environment, stdin, [.. arguments, "--vault", VaultPath]);

    /// <summary>Starts the tool on this sandbox's vault and leaves it running (see <see cref="CliTool.Start"/>).</summary>
    public System.Diagnostics.Process Start(params string[] arguments) => CliTool.Start(Environment, [.. arguments, "--vault", VaultPath]);

    /// <summary>Runs the tool with UTF-8 text on stdin.</summary>
    public Task<CliResult> Run(string stdin, params string[] arguments) => Run(Encoding.UTF8.GetBytes(stdin), arguments);

    /// <summary>Runs the tool with --password-stdin: the password line, then <paramref name="rest"/>.</summary>
    public Task<CliResult> WithPassword(string rest, params string[] arguments) =>
        Run(Password + "\n" + rest, [.. arguments, "--password-stdin"]);

    /// <summary>Runs the tool with --password-stdin and raw bytes after the password line.</summary>
    public Task<CliResult> WithPassword(byte[] rest, params string[] arguments) =>
        Run([.. Encoding.UTF8.GetBytes(Password + "\n"), .. rest], [.. arguments, "--password-stdin"]);

    /// <summary>Creates the vault with the cheap KDF.</summary>
    public async Task Init() => Succeeded(await Run(Password + "\n", ["init", "--password-stdin", .. CheapKdf]));

    /// <summary>Stores a text value.</summary>
    public async Task Set(string name, string value, params string[] options) =>
        Succeeded(await WithPassword(value, ["set", name, .. options]));

    /// <summary>Reads a value's bytes.</summary>
    public async Task<byte[]> Get(string name, params string[] options) => Succeeded(await WithPassword("", ["get", name, .. options])).Stdout;

    /// <summary>Asserts exit code 0 and returns the result.</summary>
    public static CliResult Succeeded(CliResult result)
    {
        Assert.True(result.ExitCode == 0, $"Expected success: {result}");
        return result;
    }

    /// <summary>Asserts a failure with <paramref name="exitCode"/> and one "securevault: " line on stderr.</summary>
    public static CliResult Failed(CliResult result, int exitCode)
    {
        Assert.True(result.ExitCode == exitCode, $"Expected exit code {exitCode}: {result}");
        Assert.StartsWith("securevault: ", result.Stderr);
        return result;
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { /* a process still closing its files; the folder is in the temp directory anyway */ }
    }
}
