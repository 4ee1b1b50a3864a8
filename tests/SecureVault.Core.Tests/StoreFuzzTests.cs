using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;
using SecureVault.Access;
using SecureVault.Identity;
using SecureVault.Values;
using Xunit.Abstractions;

namespace SecureVault.Tests;

/// <summary>
/// A deterministic fuzzer over a real vault: several principals, grants, versions, audit records
/// and a write-ahead log holding the newest commits. It damages one copy at a time (every table
/// cell in several ways, bit flips and replaced or zeroed pages of the file, its database header,
/// WAL frames and headers, truncated and extended lengths), and on each copy unlocks, lists, reads
/// every version, verifies the audit chain and writes once. No copy may return a value other than
/// the true one, and nothing but a VaultException may come out.
/// </summary>
/// <remarks>
/// The mutations are chosen by a fixed seed; the vault itself has fresh keys and ids each run, so
/// the bytes hit differ between runs while the kinds and counts of mutation stay the same. Cell
/// mutations are sampled (every cell gets at least one) to stay near a minute on two cores; the
/// test output reports the case count and the outcome counts. A run at the time of writing (about
/// 25 s of CPU, 35-55 s on a loaded two-core machine): 1,619 cases (84 more not applicable, where a
/// constraint refuses the SQL): 1,116 cell, 231 page, 100 header, 150 WAL, 21 length, 1 pristine;
/// 776 copies read clean, 9,965 true values read, 0 wrong values, 0 untyped exceptions; refusals
/// 1,124 IntegrityViolation, 154 KeyNotFound, 82 KeyVersionNotFound, 43 AccessDenied,
/// 11 AuthenticationFailed, 6 StorageError (a damaged user_version reads as a newer schema, and
/// SQLite's "unsupported file format"). On the engine before issue 12 it found 83 untyped
/// exceptions; with the row checks it found a damaged audit time that hid the newest record
/// (StorageError, fixed: DamagedNumberTests).
/// </remarks>
public sealed class StoreFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 12;
    /// <summary>How many cell mutations to run (of several per cell), sampled by the seed.</summary>
    private const int CellCaseBudget = 1200;
    private const string Owner = "owner";
    private readonly string _folder = VaultImage.ScratchFolder();
    private readonly Dictionary<(string Name, int Version), string> _truth = new();

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    /// <summary>One damaged copy: how to make it from the pristine files.</summary>
    private sealed record FuzzCase(string Kind, string Description, Func<byte[], byte[], (byte[] Main, byte[] Wal)>? Bytes = null, Action<string>? Sql = null);

    private sealed class Tally
    {
        public int Cases, NotApplicable, Clean, WrongValues, TrueValues;
        public readonly SortedDictionary<string, int> Refusals = new(StringComparer.Ordinal);
        public readonly SortedDictionary<string, int> CasesByKind = new(StringComparer.Ordinal);
        public readonly List<string> Failures = [];
        public readonly List<string> StorageErrors = [];
        public string Slowest = "";
        public TimeSpan SlowestTime;
    }

    [Fact]
    public void No_damaged_copy_returns_another_value_or_raises_anything_but_a_VaultException()
    {
        var clock = Stopwatch.StartNew();
        var source = Path.Combine(_folder, "source.vault");
        var image = BuildVault(source);
        var random = new Random(Seed);
        var cases = new List<FuzzCase> { new("pristine", "the copy as it was") };
        cases.AddRange(CellCases(image, random));
        cases.AddRange(PageCases(image, random));
        cases.AddRange(HeaderCases(random));
        cases.AddRange(WalCases(image, random));
        cases.AddRange(LengthCases(image, random));

        var copy = Path.Combine(_folder, "copy.vault");
        var tally = new Tally();
        foreach (var fuzzCase in cases) Run(copy, image, fuzzCase, tally, isBaseline: fuzzCase.Kind == "pristine");

        output.WriteLine($"{tally.Cases} cases ({tally.NotApplicable} not applicable) in {clock.Elapsed.TotalSeconds:F1} s: "
            + string.Join(", ", tally.CasesByKind.Select(k => $"{k.Value} {k.Key}")));
        output.WriteLine($"outcomes: {tally.Clean} copies read clean, {tally.TrueValues} true values read, {tally.WrongValues} wrong values, "
            + $"{tally.Failures.Count} failures; refusals by error id: " + string.Join(", ", tally.Refusals.Select(r => $"{r.Value} {r.Key}")));
        output.WriteLine($"slowest case: {tally.Slowest} ({tally.SlowestTime.TotalMilliseconds:F0} ms)");
        foreach (var note in tally.StorageErrors) output.WriteLine("storage error: " + note);
        foreach (var failure in tally.Failures.Take(40)) output.WriteLine("FAIL " + failure);
        Assert.Empty(tally.Failures);
        Assert.Equal(0, tally.WrongValues);
    }

    #region The vault

    /// <summary>
    /// Builds the vault (three principals, four keys with versions, grants, a failed unlock) with
    /// most of it checkpointed into the file and the newest commits still in the log, and returns
    /// the files' bytes. Fills in the true value of every version.
    /// </summary>
    private VaultImage BuildVault(string path)
    {
        var engine = VaultEngine.Open(path);
        try
        {
            engine.Create(TestVault.Password, Owner, TestVault.CheapKdf);
            engine.NewPrincipal("alice", Role.User, TestVault.Password, TestVault.CheapKdf);
            engine.NewPrincipal("bob", Role.Viewer, TestVault.Password, TestVault.CheapKdf);
            Write(engine, "alpha", 3);
            Write(engine, "beta", 2);
            Write(engine, "gamma", 1);
            engine.GrantAccess("alpha", "alice", KeyPermissions.Read | KeyPermissions.Write);
            engine.GrantAccess("beta", "bob", KeyPermissions.Read);
            engine.Lock();
            Assert.Throws<VaultAuthenticationException>(() => engine.Unlock(TestVault.WrongPassword, "bob"));
            engine.Unlock(TestVault.Password, Owner);
            Secrets.ReadText(engine, "alpha", 2);

            // Everything so far into the file; what follows stays in the log.
            VaultEngine.ForgetStore(path);
            using (var raw = new RawVaultFile(path)) raw.Checkpoint();
            engine = VaultEngine.Open(path);
            Write(engine, "delta", 2);
            engine.RevokeAccess("beta", "bob");
            Secrets.ReadText(engine, "gamma");
            // Taken while the store's connections are open, so the log is still there.
            var image = VaultImage.Capture(path);
            Assert.NotEmpty(image.Wal);
            return image;
        }
        finally
        {
            engine.Lock();
            VaultEngine.ForgetStore(path);
        }
    }

    private void Write(VaultEngine engine, string name, int versions)
    {
        for (int v = 1; v <= versions; v++) Secrets.WriteText(engine, name, _truth[(name, v)] = $"fuzz-{name}-true-{v}-{Guid.NewGuid():N}");
    }

    #endregion

    #region Running one copy

    private void Run(string copy, VaultImage image, FuzzCase fuzzCase, Tally tally, bool isBaseline)
    {
        var started = Stopwatch.StartNew();
        VaultEngine.ForgetStore(copy);
        var (main, wal) = fuzzCase.Bytes?.Invoke(image.Main, image.Wal) ?? (image.Main, image.Wal);
        VaultImage.Write(copy, main, wal);
        if (fuzzCase.Sql != null)
        {
            try
            {
                fuzzCase.Sql(copy);
            }
            catch (SqliteException)
            {
                // The damage cannot be made through SQL (a constraint refuses it): nothing to test.
                tally.NotApplicable++;
                return;
            }
        }
        tally.Cases++;
        tally.CasesByKind[fuzzCase.Kind] = tally.CasesByKind.GetValueOrDefault(fuzzCase.Kind) + 1;
        var refusedBefore = tally.Refusals.Values.Sum();
        var failuresBefore = tally.Failures.Count;
        var engine = VaultEngine.Open(copy);
        try
        {
            if (!Try(tally, fuzzCase, "unlock", () => engine.Unlock(TestVault.Password, Owner))) return;
            Try(tally, fuzzCase, "list", () =>
            {
                foreach (var info in engine.ListKeys())
                    if (!_truth.Keys.Any(k => k.Name == info.Name)) tally.Failures.Add($"{fuzzCase.Description}: list returned a key never written");
            });
            foreach (var ((name, version), expected) in _truth)
            {
                Try(tally, fuzzCase, $"get {name} v{version}", () =>
                {
                    using var value = engine.GetKey(name, version);
                    if (value is SecretText text && text.Utf8.ReadOnlySpan.SequenceEqual(Encoding.UTF8.GetBytes(expected))) tally.TrueValues++;
                    else
                    {
                        tally.WrongValues++;
                        tally.Failures.Add($"{fuzzCase.Description}: {name} v{version} read another value");
                    }
                });
            }
            Try(tally, fuzzCase, "verify", () => engine.VerifyAudit());
            Try(tally, fuzzCase, "write", () =>
            {
                using var value = SecretText.FromString("fuzz-written-value");
                engine.SetKey("alpha", value);
            });
        }
        finally
        {
            Try(tally, fuzzCase, "lock", () => engine.Lock());
            VaultEngine.ForgetStore(copy);
            if (tally.Refusals.Values.Sum() == refusedBefore && tally.Failures.Count == failuresBefore) tally.Clean++;
            else if (isBaseline) tally.Failures.Add("the undamaged copy did not read clean");
            if (started.Elapsed > tally.SlowestTime) (tally.Slowest, tally.SlowestTime) = (fuzzCase.Description, started.Elapsed);
        }
    }

    /// <summary>Runs one operation on a copy; false when it was refused or failed.</summary>
    private static bool Try(Tally tally, FuzzCase fuzzCase, string operation, Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (VaultException e)
        {
            tally.Refusals[e.ErrorId] = tally.Refusals.GetValueOrDefault(e.ErrorId) + 1;
            // Typed, but less precise than an integrity error: shown so they can be looked at.
            if (e is VaultStorageException && tally.StorageErrors.Count < 5) tally.StorageErrors.Add($"{fuzzCase.Description}: {operation}: {e.Message}");
            return false;
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            tally.Failures.Add($"{fuzzCase.Description}: {operation} raised {e.GetType().Name}: {e.Message}");
            return false;
        }
    }

    #endregion

    #region Mutations

    /// <summary>Every cell of every table, each changed in one or more ways (sampled to the budget, at least one way per cell).</summary>
    private IEnumerable<FuzzCase> CellCases(VaultImage image, Random random)
    {
        var pristine = Path.Combine(_folder, "pristine.vault");
        VaultImage.Write(pristine, image.Main, image.Wal);
        var cells = new List<(string Table, string Column, string Where, object[] Key, object? Value, object? Other)>();
        using (var raw = new RawVaultFile(pristine))
        {
            var tables = raw.Rows("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
            foreach (var table in tables)
            {
                string name = (string)table[0]!;
                bool withoutRowid = ((string)table[1]!).Contains("WITHOUT ROWID", StringComparison.OrdinalIgnoreCase);
                var columns = raw.Rows($"SELECT name FROM pragma_table_info('{name}')").Select(c => (string)c[0]!).ToList();
                var keyColumns = withoutRowid ? new[] { "secret_id", "principal_id" } : ["rowid"];
                var rows = raw.Rows($"SELECT {string.Join(", ", keyColumns)}, {string.Join(", ", columns)} FROM {name}");
                string where = string.Join(" AND ", keyColumns.Select((k, i) => $"{k} = $a{i}"));
                for (int r = 0; r < rows.Count; r++)
                {
                    var key = rows[r].Take(keyColumns.Length).Select(v => v!).ToArray();
                    for (int c = 0; c < columns.Count; c++)
                    {
                        var other = rows.Count > 1 ? rows[(r + 1) % rows.Count][keyColumns.Length + c] : null;
                        cells.Add((name, columns[c], where, key, rows[r][keyColumns.Length + c], other));
                    }
                }
            }
        }
        var all = new List<(int Cell, FuzzCase Case)>();
        for (int i = 0; i < cells.Count; i++)
        {
            var (table, column, where, key, value, other) = cells[i];
            string at = $"{table}.{column} row {i}";
            foreach (var (how, replacement) in Replacements(value, other, random))
            {
                var newValue = replacement;
                all.Add((i, new FuzzCase("cell", $"{at} {how}", Sql: path =>
                {
                    if (newValue is null)
                        using (var schema = new RawVaultFile(path)) schema.AllowNulls(table);
                    using var raw = new RawVaultFile(path);
                    raw.Execute($"UPDATE {table} SET {column} = $a{key.Length} WHERE {where}", [.. key, newValue ?? DBNull.Value]);
                })));
            }
        }
        // Every cell once (its first way), then a seeded sample of the other ways up to the budget.
        var first = all.GroupBy(c => c.Cell).Select(g => g.First()).ToList();
        var rest = all.Except(first).OrderBy(_ => random.Next()).Take(Math.Max(0, CellCaseBudget - first.Count));
        return first.Concat(rest).Select(c => c.Case);
    }

    /// <summary>The ways one cell is changed: out-of-range numbers, another storage class, NULL, a flipped bit, another row's value.</summary>
    private static IEnumerable<(string How, object? Value)> Replacements(object? value, object? other, Random random)
    {
        var ways = new List<(string, object?)>();
        switch (value)
        {
            case long number:
                ways.Add(("bit flip", number ^ (1L << random.Next(0, 41))));
                ways.Add(("2^40", 1L << 40));
                ways.Add(("-1", -1L));
                ways.Add(("as text", "damaged"));
                break;
            case byte[] bytes:
                var flipped = (byte[])bytes.Clone();
                if (flipped.Length > 0) flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
                ways.Add(("bit flip", flipped));
                ways.Add(("truncated", bytes.AsSpan(0, bytes.Length / 2).ToArray()));
                ways.Add(("as integer", 7L));
                break;
            case string text:
                ways.Add(("changed", text.Length > 0 ? (char)(text[0] ^ 1) + text[1..] : "x"));
                ways.Add(("as blob", Encoding.UTF8.GetBytes(text)));
                ways.Add(("as integer", 1L << 40));
                break;
        }
        if (value is not null) ways.Add(("NULL", null));
        if (other is not null && !Equals(other, value)) ways.Add(("another row's", other));
        return ways;
    }

    /// <summary>Each page of the file: bit flips in its used bytes, zeroed, replaced by another page.</summary>
    private static IEnumerable<FuzzCase> PageCases(VaultImage image, Random random)
    {
        int size = image.PageSize;
        for (int page = 1; page <= image.PageCount; page++)
        {
            int p = page;
            var used = UsedBytes(image, p);
            for (int i = 0; i < 4; i++)
            {
                int offset = used[random.Next(used.Count)], bit = random.Next(8);
                yield return new("page", $"page {p} byte {offset} bit {bit}", (main, wal) => (Flip(main, offset, bit), wal));
            }
            if (p > 1)
            {
                yield return new("page", $"page {p} zeroed", (main, wal) =>
                {
                    var copy = (byte[])main.Clone();
                    Array.Clear(copy, (p - 1) * size, size);
                    return (copy, wal);
                });
                int donor = 1 + random.Next(image.PageCount);
                if (donor != p && donor > 1)
                    yield return new("page", $"page {p} replaced by page {donor}", (main, wal) =>
                    {
                        var copy = (byte[])main.Clone();
                        Array.Copy(main, (donor - 1) * size, copy, (p - 1) * size, size);
                        return (copy, wal);
                    });
            }
        }
    }

    /// <summary>The used bytes of a b-tree page, or the whole page when it is not one (free and overflow pages).</summary>
    private static List<int> UsedBytes(VaultImage image, int page)
    {
        byte type = image.Main[(page - 1) * image.PageSize + (page == 1 ? 100 : 0)];
        return type is 2 or 5 or 10 or 13
            ? image.UsedBytesOf(page).ToList()
            : Enumerable.Range((page - 1) * image.PageSize, image.PageSize).ToList();
    }

    /// <summary>The 100-byte database header: a bit of every byte.</summary>
    private static IEnumerable<FuzzCase> HeaderCases(Random random)
    {
        for (int offset = 0; offset < 100; offset++)
        {
            int at = offset, bit = random.Next(8);
            yield return new("header", $"database header byte {at} bit {bit}", (main, wal) => (Flip(main, at, bit), wal));
        }
    }

    /// <summary>The log: its header, each frame's header and page, truncated at and inside each frame, removed, extended.</summary>
    private static IEnumerable<FuzzCase> WalCases(VaultImage image, Random random)
    {
        const int WalHeader = 32, FrameHeader = 24;
        int frame = FrameHeader + image.PageSize;
        int frames = (image.Wal.Length - WalHeader) / frame;
        for (int offset = 0; offset < WalHeader; offset += 2)
        {
            int at = offset, bit = random.Next(8);
            yield return new("wal", $"log header byte {at} bit {bit}", (main, wal) => (main, Flip(wal, at, bit)));
        }
        for (int f = 0; f < frames; f++)
        {
            int start = WalHeader + f * frame;
            int inHeader = start + random.Next(FrameHeader), inPage = start + FrameHeader + random.Next(image.PageSize), bit = random.Next(8);
            int n = f;
            yield return new("wal", $"log frame {n} header byte {inHeader - start} bit {bit}", (main, wal) => (main, Flip(wal, inHeader, bit)));
            yield return new("wal", $"log frame {n} page byte {inPage - start - FrameHeader} bit {bit}", (main, wal) => (main, Flip(wal, inPage, bit)));
            yield return new("wal", $"log cut before frame {n}", (main, wal) => (main, wal[..start]));
            yield return new("wal", $"log cut inside frame {n}", (main, wal) => (main, wal[..(start + FrameHeader + image.PageSize / 2)]));
        }
        yield return new("wal", "log removed", (main, wal) => (main, []));
        var garbage = new byte[frame];
        random.NextBytes(garbage);
        yield return new("wal", "log extended by a garbage frame", (main, wal) => (main, [.. wal, .. garbage]));
    }

    /// <summary>The file cut short (at page boundaries and inside a page) and extended.</summary>
    private static IEnumerable<FuzzCase> LengthCases(VaultImage image, Random random)
    {
        for (int pages = 1; pages < image.PageCount; pages += Math.Max(1, image.PageCount / 8))
        {
            int length = pages * image.PageSize;
            yield return new("length", $"file cut to {pages} pages", (main, wal) => (main[..length], wal));
            int inside = length + random.Next(1, image.PageSize);
            yield return new("length", $"file cut to {inside} bytes", (main, wal) => (main[..inside], wal));
        }
        yield return new("length", "file extended by half a page", (main, wal) => ([.. main, .. new byte[image.PageSize / 2]], wal));
    }

    private static byte[] Flip(byte[] bytes, int offset, int bit)
    {
        var copy = (byte[])bytes.Clone();
        copy[offset] ^= (byte)(1 << bit);
        return copy;
    }

    #endregion
}
