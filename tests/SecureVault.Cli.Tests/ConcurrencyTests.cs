using System.Text;

namespace SecureVault.Cli.Tests;

/// <summary>
/// Many processes writing one vault at once: every write lands, none is lost or fails. This is
/// what SecretStore cannot do (parallel Set-Secret fails there).
/// </summary>
public sealed class ConcurrencyTests : IDisposable
{
    private const int Writers = 4;
    private const int KeysPerWriter = 10;
    private const int SharedWriters = 6;
    private readonly CliSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public async Task Concurrent_processes_lose_no_write()
    {
        await _box.Init();

        // Four writers, each running its own `set` processes one after another (like four shell
        // loops), while six more processes all write the same key at the same moment.
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var failures = new List<string>();
            for (int i = 0; i < KeysPerWriter; i++)
            {
                var result = await _box.WithPassword($"value-{w}-{i}", "set", $"writer{w}-key{i}");
                if (result.ExitCode != 0) failures.Add(result.ToString());
            }
            return failures;
        }));
        var shared = Enumerable.Range(0, SharedWriters).Select(n => Task.Run(async () =>
        {
            var result = await _box.WithPassword($"shared-{n}", "set", "shared");
            return result.ExitCode == 0 ? new List<string>() : [result.ToString()];
        }));
        var failures = (await Task.WhenAll(writers.Concat(shared))).SelectMany(f => f).ToList();
        Assert.True(failures.Count == 0, "Failed writes: " + string.Join(" | ", failures));

        var keys = RoundTripTests.ListJson(CliSandbox.Succeeded(await _box.WithPassword("", "list", "--json")))
            .ToDictionary(k => k.GetProperty("name").GetString()!, k => k);
        var expected = Enumerable.Range(0, Writers).SelectMany(w => Enumerable.Range(0, KeysPerWriter).Select(i => $"writer{w}-key{i}")).Append("shared");
        Assert.Equal(expected.Order(StringComparer.Ordinal), keys.Keys.Order(StringComparer.Ordinal));
        Assert.All(keys.Where(k => k.Key != "shared"), k => Assert.Equal(1, k.Value.GetProperty("version").GetInt32()));

        // Every one of the concurrent writes to the shared key became its own version.
        var sharedKey = keys["shared"];
        Assert.Equal(SharedWriters, sharedKey.GetProperty("version").GetInt32());
        Assert.Equal(Enumerable.Range(1, SharedWriters), sharedKey.GetProperty("versions").EnumerateArray().Select(v => v.GetInt32()));

        // The values are the ones written: the last key of each writer, and one of the shared writes.
        for (int w = 0; w < Writers; w++)
            Assert.Equal($"value-{w}-{KeysPerWriter - 1}\n", Encoding.UTF8.GetString(await _box.Get($"writer{w}-key{KeysPerWriter - 1}")));
        var sharedValue = Encoding.UTF8.GetString(await _box.Get("shared")).TrimEnd('\n');
        Assert.Contains(sharedValue, Enumerable.Range(0, SharedWriters).Select(n => $"shared-{n}"));
    }
}
