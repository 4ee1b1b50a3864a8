using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SecureVault.Identity;
using SecureVault.Values;

namespace SecureVault.Cli.Tests;

/// <summary>
/// <c>securevault rekey</c> as a real process on a vault of a few hundred keys: killed in the
/// middle (SIGKILL: no chance to clean up) and stopped by SIGTERM, the vault stays readable by
/// password and by certificate, and the next run resumes and completes. The keys are planted with
/// the engine in this process (hundreds of CLI runs would take minutes); every read-back that
/// counts is done both ways.
/// </summary>
public sealed partial class RekeyTests : IDisposable
{
    private const int ManyKeys = 300;
    private readonly CliSandbox _box = new();
    private int _keyCount;
    private string _pfx = "";

    public void Dispose()
    {
        VaultEngine.LockAll();
        _box.Dispose();
    }

    private static string KeyName(int i) => $"key-{i:D3}";

    private static string ValueOf(int i) => $"value {i} of the rekey test";

    /// <summary>
    /// A vault with an owner (password), <paramref name="keyCount"/> keys, and a principal that unlocks
    /// with a certificate file and owns a key of its own (written through the CLI).
    /// </summary>
    private async Task PrepareVault(int keyCount = ManyKeys)
    {
        _keyCount = keyCount;
        CliSandbox.Succeeded(await _box.Run(CliSandbox.Password + "\n", ["init", "--principal", "owner", "--password-stdin", .. CliSandbox.CheapKdf]));
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=rekey-job", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        AsOwner(engine =>
        {
            engine.NewPrincipal("rekey-job", Role.User, certificate);
            for (int i = 0; i < keyCount; i++)
            {
                using var value = SecretText.FromString(ValueOf(i));
                engine.SetKey(KeyName(i), value);
            }
            return 0;
        });
        _pfx = Path.Combine(_box.Folder, "job.pfx");
        await File.WriteAllBytesAsync(_pfx, certificate.Export(X509ContentType.Pfx));
        CliSandbox.Succeeded(await _box.Run("job value", "set", "job-key", "--certificate", _pfx));
    }

    private T AsOwner<T>(Func<VaultEngine, T> work)
    {
        var engine = VaultEngine.Open(_box.VaultPath);
        engine.Unlock(Encoding.UTF8.GetBytes(CliSandbox.Password), "owner");
        try
        {
            return work(engine);
        }
        finally
        {
            engine.Lock();
        }
    }

    /// <summary>Runs the tool as the owner, with the password on stdin (the vault has two principals, so the name is needed).</summary>
    private Task<CliResult> AsOwnerCli(params string[] arguments) => _box.WithPassword("", [.. arguments, "--principal", "owner"]);

    /// <summary>Every planted key read back with the engine (a fresh session), one by one, and a few through the CLI, password and certificate.</summary>
    private async Task AssertEveryKeyReads()
    {
        var wrong = AsOwner(engine =>
        {
            var mismatches = new List<string>();
            for (int i = 0; i < _keyCount; i++)
            {
                using var value = (SecretText)engine.GetKey(KeyName(i));
                if (!value.Utf8.ReadOnlySpan.SequenceEqual(Encoding.UTF8.GetBytes(ValueOf(i)))) mismatches.Add(KeyName(i));
            }
            return mismatches;
        });
        Assert.True(wrong.Count == 0, "Keys that no longer read their value: " + string.Join(", ", wrong));
        foreach (int i in new[] { 0, _keyCount / 2, _keyCount - 1 })
            Assert.Equal(ValueOf(i) + "\n", CliSandbox.Succeeded(await AsOwnerCli("get", KeyName(i))).StdoutText);
        var job = CliSandbox.Succeeded(await _box.Run("", "get", "job-key", "--certificate", _pfx));
        Assert.Equal("job value\n", job.StdoutText);
    }

    /// <summary>
    /// Starts <c>rekey --batch-size 1</c>, waits on its stderr until at least <paramref name="batches"/>
    /// batches have committed, then calls <paramref name="stop"/>. Returns the number of data keys
    /// the last progress line reported done, the total, and the process (exited) with the rest of its stderr.
    /// </summary>
    private async Task<(int Done, int Total, Process Process, string Stderr)> RekeyUntil(int batches, Action<Process> stop)
    {
        var process = _box.Start("rekey", "--batch-size", "1", "--password-stdin", "--principal", "owner");
        await process.StandardInput.WriteAsync(CliSandbox.Password + "\n");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var seen = new StringBuilder();
        int done = 0, total = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            seen.AppendLine(line);
            var progress = DataKeyProgress().Match(line);
            if (!progress.Success) continue;
            (done, total) = (int.Parse(progress.Groups[1].Value), int.Parse(progress.Groups[2].Value));
            if (done >= batches)
            {
                stop(process);
                break;
            }
        }
        seen.Append(await process.StandardError.ReadToEndAsync(timeout.Token));
        await process.WaitForExitAsync(timeout.Token);
        await stdout;
        Assert.True(done >= batches, $"rekey ended before {batches} batches were reported. stderr: {seen}");
        return (done, total, process, seen.ToString());
    }

    [Fact]
    public async Task A_rekey_killed_between_batches_leaves_every_key_readable_and_the_next_run_resumes_and_completes()
    {
        await PrepareVault();

        // Killed at its second batch: the progress lines wait in the pipe, so on a loaded machine the
        // rekey can be hundreds of batches further on when the test reads one; the earlier the kill,
        // the surer it lands before the end.
        var (done, total, killed, stderr) = await RekeyUntil(2, process => process.Kill(entireProcessTree: true));
        using (killed)
        {
            Assert.True(killed.ExitCode != 0, "The rekey finished on its own before it was killed.");
        }
        Assert.Equal(ManyKeys + 1, total); // and the job's own key
        Assert.True(done < total, $"Every batch had run before the kill ({done}/{total}); the test proved nothing. stderr: {stderr}");

        await AssertEveryKeyReads();
        CliSandbox.Succeeded(await AsOwnerCli("audit", "verify")); // the chain survived the kill too

        var resumed = JsonDocument.Parse(CliSandbox.Succeeded(await AsOwnerCli("rekey", "--json")).StdoutText).RootElement;
        Assert.True(resumed.GetProperty("resumed").GetBoolean());
        // Only what the killed run had not committed is left (it may have committed a few more batches after the line read here).
        Assert.InRange(resumed.GetProperty("dataKeysRotated").GetInt32(), 1, total - done);
        Assert.Equal(1, resumed.GetProperty("generation").GetInt32());
        Assert.True(resumed.GetProperty("metadataRecords").GetInt32() >= total);
        await AssertEveryKeyReads();

        // The resumed rekey finished the job: the next one starts afresh, with every key.
        var fresh = CliSandbox.Succeeded(await AsOwnerCli("rekey"));
        Assert.StartsWith($"Rekeyed: {total} data key(s) rotated", fresh.StdoutText);
        Assert.Contains("metadata key generation 2", fresh.StdoutText);
        Assert.Matches(@"^(rekey: [a-z -]+: \d+/\d+\n)+$", fresh.Stderr.ReplaceLineEndings("\n"));
        await AssertEveryKeyReads();
    }

    [Fact]
    public async Task SIGTERM_stops_a_rekey_between_batches_with_exit_130_and_a_rerun_resumes()
    {
        if (OperatingSystem.IsWindows()) return; // POSIX signals
        await PrepareVault();

        var (done, total, stopped, stderr) = await RekeyUntil(2, process => Assert.Equal(0, Kill(process.Id, SIGTERM)));
        using (stopped)
        {
            Assert.True(stopped.ExitCode == ExitCode.Interrupted, $"exit {stopped.ExitCode}, stderr: {stderr}");
        }
        Assert.True(done < total, $"Every batch had run before the signal; the test proved nothing. stderr: {stderr}");
        Assert.Contains("securevault: SIGTERM received: stopping at the next safe point", stderr);
        Assert.Contains("run 'securevault rekey' again to resume", stderr);
        Assert.DoesNotContain("metadata", stderr); // stopped before the metadata phase

        await AssertEveryKeyReads();
        var resumed = CliSandbox.Succeeded(await AsOwnerCli("rekey"));
        Assert.StartsWith("Resumed the interrupted rekey and completed it: ", resumed.StdoutText);
        await AssertEveryKeyReads();
    }

    [Fact]
    public async Task Rekey_refuses_a_batch_size_below_1_and_a_principal_that_is_not_an_admin()
    {
        await PrepareVault(keyCount: 3);
        CliSandbox.Failed(await AsOwnerCli("rekey", "--batch-size", "0"), ExitCode.InvalidInput);
        var denied = CliSandbox.Failed(await _box.Run("", "rekey", "--certificate", _pfx), ExitCode.AccessDenied);
        Assert.Empty(denied.Stdout);
    }

    private const int SIGTERM = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [GeneratedRegex(@"^rekey: rotating data keys: (\d+)/(\d+)$")]
    private static partial Regex DataKeyProgress();
}
