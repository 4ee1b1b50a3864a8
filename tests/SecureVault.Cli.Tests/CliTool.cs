using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace SecureVault.Cli.Tests;

/// <summary>What one run of the tool produced.</summary>
public sealed record CliResult(int ExitCode, byte[] Stdout, string Stderr)
{
    /// <summary>Stdout decoded as UTF-8.</summary>
    public string StdoutText => Encoding.UTF8.GetString(Stdout);

    /// <summary>Stdout split into non-empty lines.</summary>
    public string[] StdoutLines => StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A description for assertion messages (stderr never holds a secret: the tool guarantees it and tests check it).</summary>
    public override string ToString() => $"exit {ExitCode}, stderr: {Stderr.Trim()}";
}

/// <summary>
/// Runs the built <c>securevault.dll</c> with <c>dotnet</c> as a real process: stdin written and
/// closed, stdout captured as bytes, stderr as text, the environment replaced per run.
/// </summary>
public static class CliTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The built tool, next to the repository root found by walking up to SecureVault.slnx.</summary>
    public static string DllPath { get; } = Locate();

    private static string Locate()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory != null && !File.Exists(Path.Combine(directory.FullName, "SecureVault.slnx"))) directory = directory.Parent;
        if (directory is null) throw new InvalidOperationException($"SecureVault.slnx not found above {AppContext.BaseDirectory}.");
        // The tests and the tool are built in the same configuration (the project reference builds it).
        var configuration = typeof(CliTool).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var path = Path.Combine(directory.FullName, "src", "SecureVault.Cli", "bin", configuration, "net8.0", "securevault.dll");
        if (!File.Exists(path)) throw new InvalidOperationException($"The CLI is not built: {path} is missing. Build src/SecureVault.Cli first.");
        return path;
    }

    /// <summary>The dotnet host that runs the tests (set by the dotnet CLI), else the one on PATH.</summary>
    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>
    /// Starts the tool with stdin, stdout and stderr redirected, for a test that watches it while it
    /// runs (and may stop it); the caller owns the process. Environment entries as in <see cref="RunAsync"/>.
    /// </summary>
    public static Process Start(IReadOnlyDictionary<string, string?> environment, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(DllPath);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
    }

    /// <summary>
    /// Runs the tool with <paramref name="arguments"/>. Entries of <paramref name="environment"/>
    /// with a null value are removed from the inherited environment.
    /// </summary>
    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string?> environment, byte[] stdin, IEnumerable<string> arguments)
    {
        using var process = Start(environment, arguments);
        var stdout = new MemoryStream();
        var readOut = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var readErr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The tool may exit (for example on a usage error) before it reads stdin.
        }

        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"securevault {string.Join(' ', arguments)} did not finish within {Timeout.TotalSeconds} s.");
        }
        await readOut;
        return new CliResult(process.ExitCode, stdout.ToArray(), await readErr);
    }
}
