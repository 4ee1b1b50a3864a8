using System.Text;
using SecureVault.Values;
using Xunit.Abstractions;

namespace SecureVault.Tests;

/// <summary>
/// Every single-bit flip of the secret_versions index page of a real vault file: each read of each
/// version returns that version's true value or a VaultException, never another version's value.
/// (Before the row checks, 127 of the 1,968 flips of such a page made a read of version 3 print
/// version 1's value.)
/// </summary>
public sealed class IndexFlipTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = VaultImage.ScratchFolder();

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void A_damaged_principals_index_is_an_integrity_error_not_a_disabled_principal()
    {
        var path = Path.Combine(_folder, "principals.vault");
        var engine = VaultEngine.Open(path);
        try
        {
            engine.Create(TestVault.Password, "owner", TestVault.CheapKdf);
            Secrets.WriteText(engine, "alpha", "alpha-value");
            VaultEngine.ForgetStore(path);
            byte[] ownerId;
            using (var raw = new RawVaultFile(path))
            {
                raw.Checkpoint();
                ownerId = raw.ReadBlob("principals", "principal_id", "name = 'owner'");
            }
            var image = VaultImage.Capture(path);
            int root = VaultImage.RootPage(path, "sqlite_autoindex_principals_1");
            var page = image.Main.AsSpan((root - 1) * image.PageSize, image.PageSize);
            int at = page.IndexOf(ownerId);
            Assert.True(at >= 0, "the owner's id is not in the index page");
            // One bit of the id as the index holds it: the row is still there, the index no longer finds it.
            page[at + 8] ^= 0x10;
            VaultEngine.ForgetStore(path);
            VaultImage.Write(path, image.Main, []);

            var e = Assert.Throws<VaultIntegrityException>(() => VaultEngine.Open(path).ListKeys());
            Assert.Equal("IntegrityViolation", e.ErrorId);
        }
        finally
        {
            VaultEngine.ForgetStore(path);
            VaultImage.Write(path, [], []);
            VaultEngine.Open(path).Lock();
            VaultEngine.ForgetStore(path);
        }
    }

    [Fact]
    public void Every_bit_flip_of_the_version_index_reads_the_true_value_or_fails_typed()
    {
        var path = Path.Combine(_folder, "flip.vault");
        var engine = VaultEngine.Open(path);
        var truth = new Dictionary<(string, int), string>();
        try
        {
            engine.Create(TestVault.Password, "owner", TestVault.CheapKdf);
            foreach (var (name, versions) in new[] { ("alpha", 3), ("beta", 2) })
                for (int v = 1; v <= versions; v++)
                    Secrets.WriteText(engine, name, truth[(name, v)] = $"{name}-true-value-{v}");
            // Everything into the main file, every connection closed: the page is all there is.
            VaultEngine.ForgetStore(path);
            using (var raw = new RawVaultFile(path)) raw.Checkpoint();
            var pristine = VaultImage.Capture(path);
            Assert.Empty(pristine.Wal);
            int root = VaultImage.RootPage(path, "sqlite_autoindex_secret_versions_1");
            var offsets = pristine.UsedBytesOf(root).ToList();

            int flips = 0, reads = 0, trueValues = 0, wrong = 0;
            var refusals = new SortedDictionary<string, int>(StringComparer.Ordinal);
            var untyped = new List<string>();
            foreach (int offset in offsets)
            {
                for (int bit = 0; bit < 8; bit++)
                {
                    flips++;
                    var copy = (byte[])pristine.Main.Clone();
                    copy[offset] ^= (byte)(1 << bit);
                    VaultEngine.ForgetStore(path);
                    VaultImage.Write(path, copy, []);
                    // The session stays open across copies (it lives in memory): only the file changes.
                    var reader = VaultEngine.Open(path);
                    foreach (var ((name, version), expected) in truth)
                    {
                        reads++;
                        try
                        {
                            using var value = reader.GetKey(name, version);
                            if (Encoding.UTF8.GetBytes(expected).AsSpan().SequenceEqual(((SecretText)value).Utf8.ReadOnlySpan)) trueValues++;
                            else wrong++;
                        }
                        catch (VaultException e)
                        {
                            refusals[e.ErrorId] = refusals.GetValueOrDefault(e.ErrorId) + 1;
                        }
                        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                        {
                            untyped.Add($"byte {offset} bit {bit}, {name} v{version}: {e.GetType().Name}");
                        }
                    }
                }
            }
            output.WriteLine($"index page {root}: {offsets.Count} used bytes, {flips} flips, {reads} reads: {trueValues} true values, {wrong} wrong values, "
                + string.Join(", ", refusals.Select(r => $"{r.Value} {r.Key}")) + $", {untyped.Count} untyped exceptions");
            Assert.Equal(0, wrong);
            Assert.Empty(untyped);
            Assert.True(flips > 500, $"only {flips} flips: the page was not found");
        }
        finally
        {
            VaultEngine.ForgetStore(path);
            VaultImage.Write(path, [], []); // an empty file: the lock below has nothing to audit into
            VaultEngine.Open(path).Lock();
            VaultEngine.ForgetStore(path);
        }
    }
}
