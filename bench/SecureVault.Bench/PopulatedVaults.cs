using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace SecureVault.Bench;

/// <summary>A populated vault in the cache: N keys, one version each, written one durable transaction per key.</summary>
/// <param name="Path">The cached file (never written by a measurement: runs work on a copy).</param>
/// <param name="Keys">How many keys it holds.</param>
/// <param name="FileBytes">Vault file plus -wal after a TRUNCATE checkpoint.</param>
/// <param name="PopulateSeconds">Time to populate in this run, or null when it came from the cache.</param>
/// <param name="PopulateSetsPerSecond">Durable Sets per second during population, when populated in this run.</param>
public sealed record PopulatedVault(string Path, int Keys, long FileBytes, double? PopulateSeconds, double? PopulateSetsPerSecond)
{
    public double BytesPerKey => (double)FileBytes / Keys;
}

/// <summary>
/// Builds the populated vaults once and keeps them under out/bench/vaults, keyed by size, with a
/// sidecar that marks a finished population (an interrupted one has no sidecar and is rebuilt).
/// A larger vault starts as a copy of the largest smaller one, so 1k, 10k and 100k cost 100k Sets,
/// not 111k. A cached vault is used only when its SQL schema matches what this build creates and
/// a copy of it unlocks and reads with this build; otherwise it is rebuilt from scratch, so a
/// change to the vault format never makes the harness measure, or fail on, a stale file.
/// </summary>
public sealed class PopulatedVaults(BenchPaths paths, TextWriter log)
{
    private const int CacheFormat = 1; // bump when key names, values or the KDF of populated vaults change
    private readonly Dictionary<int, PopulatedVault> _builtThisRun = new();
    private string? _schema;

    private sealed record Sidecar(int CacheFormat, int Keys, long FileBytes, string CreatedUtc);

    /// <summary>
    /// The populated vault of <paramref name="keys"/> keys and a fresh working copy of it that the
    /// measurements may write to (the cached file itself is never written after population).
    /// </summary>
    public (PopulatedVault Vault, string WorkingPath) Prepare(int keys, bool rebuild)
    {
        var vault = Get(keys, rebuild);
        var working = WorkingCopy(vault, "keys-" + keys);
        if (Usable(working, keys)) return (vault, working);

        // The schema matched but this build cannot read the copy (a changed encoding): start over without seeds.
        log.WriteLine($"  {keys:N0} keys: the cached vault does not unlock or read with this build; rebuilding it from scratch");
        vault = Get(keys, rebuild: true);
        // A new path: the engine keeps connections to the failed copy open for the life of the process.
        working = WorkingCopy(vault, $"keys-{keys}-rebuilt");
        return Usable(working, keys) ? (vault, working)
            : throw new InvalidOperationException($"A freshly populated {keys}-key vault does not unlock and read back; the engine is broken.");
    }

    /// <summary>The populated vault of <paramref name="keys"/> keys, from the cache or built now.</summary>
    private PopulatedVault Get(int keys, bool rebuild)
    {
        var path = CachePath(keys);
        if (!rebuild && TryLoad(keys) is { } cached)
        {
            log.WriteLine($"  {keys:N0} keys: cached ({cached.FileBytes / 1048576.0:F1} MiB)");
            return cached;
        }
        BenchPaths.DeleteVault(path);
        File.Delete(SidecarPath(keys));

        var engine = VaultEngine.Open(path);
        int start = 0;
        var seed = LargestUsableBelow(keys, rebuild);
        if (seed != null)
        {
            File.Copy(seed.Path, path);
            start = seed.Keys;
            engine.Unlock(BenchData.Password);
            log.WriteLine($"  {keys:N0} keys: extending a copy of the {seed.Keys:N0}-key vault");
        }
        else
        {
            engine.Create(BenchData.Password, "bench", BenchData.CheapKdf);
            log.WriteLine($"  {keys:N0} keys: populating a new vault");
        }

        var clock = Stopwatch.StartNew();
        int step = Math.Max((keys - start) / 10, 1);
        for (int i = start; i < keys; i++)
        {
            using var value = BenchData.NewValue();
            engine.SetKey(BenchData.KeyName(i), value);
            if ((i - start + 1) % step == 0)
                log.WriteLine($"    {i + 1,9:N0} / {keys:N0}  ({(i - start + 1) / clock.Elapsed.TotalSeconds:N0} Sets/s)");
        }
        clock.Stop();
        engine.Lock();

        Checkpoint(path);
        long bytes = BenchPaths.VaultBytes(path);
        File.WriteAllText(SidecarPath(keys), JsonSerializer.Serialize(new Sidecar(CacheFormat, keys, bytes, DateTime.UtcNow.ToString("O"))));
        double seconds = clock.Elapsed.TotalSeconds;
        var populated = new PopulatedVault(path, keys, bytes, seconds, (keys - start) / seconds);
        _builtThisRun[keys] = populated;
        return populated;
    }

    /// <summary>A fresh scratch copy of a populated vault that a run may write to, named <paramref name="name"/>.vault in the work folder.</summary>
    public string WorkingCopy(PopulatedVault vault, string name)
    {
        var path = Path.Combine(paths.WorkFolder, name + ".vault");
        BenchPaths.DeleteVault(path);
        File.Copy(vault.Path, path); // File.Copy keeps the 0600 mode on Unix
        // Flush the copy now: tens of MiB of dirty pages written back during the measurements would
        // delay every fsync (ext4 commits in order) and take CPU from the timed operations.
        using (var copy = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite)) copy.Flush(flushToDisk: true);
        return path;
    }

    private string CachePath(int keys) => Path.Combine(paths.CacheFolder, $"keys-{keys}.vault");

    private string SidecarPath(int keys) => Path.Combine(paths.CacheFolder, $"keys-{keys}.json");

    private PopulatedVault? TryLoad(int keys)
    {
        var sidecarPath = SidecarPath(keys);
        var path = CachePath(keys);
        if (!File.Exists(sidecarPath) || !File.Exists(path)) return null;
        try
        {
            var sidecar = JsonSerializer.Deserialize<Sidecar>(File.ReadAllText(sidecarPath));
            // A changed size means the file was written after population: do not trust it.
            if (sidecar is null || sidecar.CacheFormat != CacheFormat || sidecar.Keys != keys || sidecar.FileBytes != BenchPaths.VaultBytes(path))
                return null;
            if (SchemaOf(path) != CurrentSchema())
            {
                log.WriteLine($"  {keys:N0} keys: the cached vault has another schema than this build creates");
                return null;
            }
            return new PopulatedVault(path, keys, sidecar.FileBytes, null, null);
        }
        catch (Exception e) when (e is JsonException or SqliteException)
        {
            return null; // an unreadable sidecar or vault file: rebuild
        }
    }

    /// <summary>
    /// The largest smaller populated vault to start from: one built in this run, or (unless
    /// rebuilding) a cached one that passes the same checks as a cached vault used for measuring.
    /// </summary>
    private PopulatedVault? LargestUsableBelow(int keys, bool rebuild)
    {
        if (!Directory.Exists(paths.CacheFolder)) return null;
        var sizes = Directory.EnumerateFiles(paths.CacheFolder, "keys-*.json")
            .Select(f => int.TryParse(Path.GetFileNameWithoutExtension(f)["keys-".Length..], out int n) ? n : 0)
            .Where(n => n > 0 && n < keys)
            .OrderDescending();
        foreach (int size in sizes)
        {
            if (_builtThisRun.TryGetValue(size, out var built)) return built;
            if (rebuild || TryLoad(size) is not { } candidate) continue;
            var probe = WorkingCopy(candidate, $"seed-check-{size}");
            bool usable = Usable(probe, size);
            BenchPaths.TryDeleteVault(probe);
            if (usable) return candidate;
        }
        return null;
    }

    /// <summary>True when this build unlocks the copy, counts <paramref name="keys"/> keys and decrypts one.</summary>
    private static bool Usable(string workingPath, int keys)
    {
        var engine = VaultEngine.Open(workingPath);
        try
        {
            engine.Unlock(BenchData.Password);
            if (engine.GetStatus().KeyCount != keys) return false;
            engine.GetKey(BenchData.KeyName(0)).Dispose();
            return true;
        }
        catch (VaultException)
        {
            return false;
        }
        finally
        {
            engine.Lock();
        }
    }

    /// <summary>The SQL schema this build creates, read from a tiny vault made once per run.</summary>
    private string CurrentSchema()
    {
        if (_schema != null) return _schema;
        var path = Path.Combine(paths.WorkFolder, $"schema-probe-{Environment.ProcessId}.vault");
        BenchPaths.DeleteVault(path);
        var engine = VaultEngine.Open(path);
        engine.Create(BenchData.Password, "bench", BenchData.CheapKdf);
        engine.Lock();
        _schema = SchemaOf(path);
        BenchPaths.DeleteVault(path); // Linux unlinks it even though the engine keeps its connection
        return _schema;
    }

    /// <summary>The table and index definitions and the schema version of a vault file, read without the engine.</summary>
    private static string SchemaOf(string path)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name); PRAGMA user_version;";
        using var reader = command.ExecuteReader();
        var text = reader.Read() && !reader.IsDBNull(0) ? reader.GetString(0) : "";
        return reader.NextResult() && reader.Read() ? $"{text}|{reader.GetInt64(0)}" : text;
    }

    /// <summary>
    /// Moves every committed page from the -wal into the vault file and truncates the -wal, so the
    /// file size is the vault's real size and the file can be copied on its own. This is a
    /// measurement step outside the product, hence a direct SQLite connection.
    /// </summary>
    private static void Checkpoint(string path)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        using var reader = command.ExecuteReader();
        if (!reader.Read() || reader.GetInt32(0) != 0)
            throw new InvalidOperationException($"The WAL checkpoint of '{path}' could not complete (another reader was active).");
    }
}
