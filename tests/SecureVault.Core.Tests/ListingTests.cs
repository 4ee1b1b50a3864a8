using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>Listing many keys: every match, sorted; a damaged key fails the listing as an integrity error; cancellation stops it.</summary>
public sealed class ListingTests : IDisposable
{
    private readonly TestVault _vault = new();

    public void Dispose() => _vault.Dispose();

    private void WriteMany(int count)
    {
        for (int i = 0; i < count; i++)
        {
            using var value = SecretText.FromString("v" + i);
            _vault.Engine.SetKey($"key/{i:D4}", value, new KeyUpdate(Tags: i % 2 == 0 ? ["even"] : ["odd"]));
        }
    }

    [Fact]
    public void A_large_listing_returns_every_match_sorted_by_name()
    {
        WriteMany(600);
        var even = _vault.Engine.ListKeys(new KeyFilter(Tags: ["even"]));
        Assert.Equal(300, even.Count);
        Assert.Equal(even.Select(k => k.Name).Order(StringComparer.OrdinalIgnoreCase), even.Select(k => k.Name));
        Assert.All(even, k => Assert.Equal(["even"], k.Tags));
        Assert.Equal(600, _vault.Engine.ListKeys().Count);
    }

    [Fact]
    public void One_tampered_key_among_many_fails_the_listing_with_an_integrity_error()
    {
        WriteMany(400);
        var engine = _vault.Modify(f => f.FlipByte("secrets", "meta_cipher", "rowid = (SELECT rowid FROM secrets LIMIT 1 OFFSET 123)"));
        engine.Unlock(TestVault.Password);
        Assert.Throws<VaultIntegrityException>(() => engine.ListKeys());
    }

    [Fact]
    public void A_cancelled_listing_stops_with_OperationCanceledException()
    {
        WriteMany(300);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => _vault.Engine.ListKeys(cancellation: cancelled.Token));
    }
}
