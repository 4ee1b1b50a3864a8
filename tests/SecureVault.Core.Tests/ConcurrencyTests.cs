using System.Collections.Concurrent;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>Many threads using one vault at once: no errors, no lost writes. (Processes: the CLI tests.)</summary>
public sealed class ConcurrencyTests : IDisposable
{
    private const int Threads = 8;
    private const int DistinctPerThread = 50;
    private const int SharedPerThread = 10;
    private readonly TestVault _vault = new();

    public void Dispose() => _vault.Dispose();

    private static void RunOnThreads(int count, Action<int> body)
    {
        var failures = new ConcurrentQueue<Exception>();
        using var start = new Barrier(count);
        var threads = Enumerable.Range(0, count).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            try { body(t); }
            catch (Exception e) { failures.Enqueue(e); }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(failures);
    }

    [Fact]
    public void Threads_writing_distinct_keys_and_one_shared_key_lose_nothing()
    {
        // Each write of the shared key returns the version it made; with no lost update these are
        // exactly 1..N, and each kept version holds the value of the write that made it.
        var sharedWrites = new ConcurrentDictionary<int, string>();
        RunOnThreads(Threads, t =>
        {
            for (int i = 0; i < DistinctPerThread; i++)
            {
                using (var value = SecretText.FromString($"thread {t} key {i}"))
                    _vault.Engine.SetKey($"t{t}/k{i}", value);
                if (i % (DistinctPerThread / SharedPerThread) == 0)
                {
                    var text = $"shared from thread {t} write {i}";
                    using var value = SecretText.FromString(text);
                    Assert.True(sharedWrites.TryAdd(_vault.Engine.SetKey("shared", value).Version, text));
                }
            }
        });

        var engine = _vault.Reopen();
        engine.Unlock(TestVault.Password);
        const int sharedCount = Threads * SharedPerThread;
        Assert.Equal(Enumerable.Range(1, sharedCount), sharedWrites.Keys.Order());
        var info = engine.GetKeyInfo("shared");
        Assert.Equal(sharedCount, info.Version);
        Assert.Equal(Enumerable.Range(sharedCount - VaultEngine.DefaultVersionsKept + 1, VaultEngine.DefaultVersionsKept), info.Versions);
        foreach (int version in info.Versions) Assert.Equal(sharedWrites[version], Secrets.ReadText(engine, "shared", version));
        Assert.Equal(sharedWrites[sharedCount], Secrets.ReadText(engine, "shared"));

        Assert.Equal(Threads * DistinctPerThread + 1, engine.GetStatus().KeyCount);
        for (int t = 0; t < Threads; t++)
        {
            for (int i = 0; i < DistinctPerThread; i++) Assert.Equal($"thread {t} key {i}", Secrets.ReadText(engine, $"t{t}/k{i}"));
        }
    }

    [Fact]
    public void Readers_running_beside_writers_always_see_a_complete_value()
    {
        using (var first = SecretText.FromString("value 0")) _vault.Engine.SetKey("k", first);
        const int writes = 40;
        RunOnThreads(4, t =>
        {
            if (t == 0)
            {
                for (int i = 1; i <= writes; i++)
                {
                    using var value = SecretText.FromString("value " + i);
                    _vault.Engine.SetKey("k", value);
                }
                return;
            }
            for (int i = 0; i < 100; i++)
            {
                var text = Secrets.ReadText(_vault.Engine, "k");
                Assert.StartsWith("value ", text);
                Assert.InRange(int.Parse(text["value ".Length..]), 0, writes);
                Assert.NotEmpty(_vault.Engine.ListKeys());
            }
        });
        Assert.Equal(writes + 1, _vault.Engine.GetKeyInfo("k").Version);
    }

    [Fact]
    public void Two_engines_over_the_same_file_share_one_session_and_see_each_others_writes()
    {
        var second = VaultEngine.Open(_vault.Path);
        Assert.True(second.IsUnlocked);

        RunOnThreads(2, t =>
        {
            var engine = t == 0 ? _vault.Engine : second;
            for (int i = 0; i < 20; i++)
            {
                using var value = SecretText.FromString($"engine {t} write {i}");
                engine.SetKey($"e{t}/{i}", value);
            }
        });

        Assert.Equal(40, second.ListKeys().Count);
        Assert.Equal("engine 0 write 19", Secrets.ReadText(second, "e0/19"));
        Assert.Equal("engine 1 write 19", Secrets.ReadText(_vault.Engine, "e1/19"));
    }

    [Fact]
    public void Concurrent_first_writes_of_one_new_name_make_one_key()
    {
        var versions = new ConcurrentBag<int>();
        RunOnThreads(Threads, t =>
        {
            using var value = SecretText.FromString("thread " + t);
            versions.Add(_vault.Engine.SetKey("NEW-key", value).Version);
        });

        Assert.Equal(Enumerable.Range(1, Threads), versions.Order());
        var only = Assert.Single(_vault.Engine.ListKeys());
        Assert.Equal(Threads, only.Version);
    }
}
