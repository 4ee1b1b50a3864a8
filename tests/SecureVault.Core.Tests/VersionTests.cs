using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>Each write makes a new version; older versions stay readable by number; the last 10 are kept.</summary>
public sealed class VersionTests : IDisposable
{
    private readonly TestVault _vault = new();

    public void Dispose() => _vault.Dispose();

    private VaultKeyInfo Write(string name, int n)
    {
        using var value = SecretText.FromString("value " + n);
        return _vault.Engine.SetKey(name, value);
    }

    [Fact]
    public void Each_write_makes_the_next_version_and_every_version_reads_its_own_value()
    {
        for (int n = 1; n <= 3; n++)
        {
            var info = Write("k", n);
            Assert.Equal(n, info.Version);
            Assert.Equal(Enumerable.Range(1, n), info.Versions);
        }

        var engine = _vault.Reopen();
        engine.Unlock(TestVault.Password);
        Assert.Equal("value 3", Secrets.ReadText(engine, "k"));
        for (int n = 1; n <= 3; n++) Assert.Equal("value " + n, Secrets.ReadText(engine, "k", n));
    }

    [Fact]
    public void After_eleven_writes_version_1_is_gone_and_versions_2_to_11_remain()
    {
        for (int n = 1; n <= 11; n++) Write("k", n);

        var info = _vault.Engine.GetKeyInfo("k");
        Assert.Equal(11, info.Version);
        Assert.Equal(Enumerable.Range(2, VaultEngine.DefaultVersionsKept), info.Versions);
        var e = Assert.Throws<VaultKeyVersionNotFoundException>(() => _vault.Engine.GetKey("k", 1));
        Assert.Equal("KeyVersionNotFound", e.ErrorId);
        for (int n = 2; n <= 11; n++) Assert.Equal("value " + n, Secrets.ReadText(_vault.Engine, "k", n));
    }

    [Fact]
    public void Old_versions_are_deleted_from_the_file_not_only_hidden()
    {
        var id = default(Guid);
        for (int n = 1; n <= 15; n++) id = Write("k", n).Id;
        _vault.Release();

        using var file = new RawVaultFile(_vault.Path);
        Assert.Equal(10L, file.Scalar("SELECT COUNT(*) FROM secret_versions WHERE secret_id = $a0", id.ToByteArray()));
        Assert.Equal(6L, file.Scalar("SELECT MIN(version) FROM secret_versions WHERE secret_id = $a0", id.ToByteArray()));
    }

    [Fact]
    public void A_version_never_written_is_a_typed_error()
    {
        Write("k", 1);
        var e = Assert.Throws<VaultKeyVersionNotFoundException>(() => _vault.Engine.GetKey("k", 2));
        Assert.Equal("k", e.Target);
    }

    [Fact]
    public void Versions_keep_their_own_type_when_a_later_write_changes_the_type()
    {
        Write("k", 1);
        using (var bytes = SecretBytes.CopyOf([9, 8, 7])) Assert.Equal(SecretValueType.ByteArray, _vault.Engine.SetKey("k", bytes).Type);

        Assert.Equal([9, 8, 7], Secrets.ReadBytes(_vault.Engine, "k"));
        using var first = _vault.Engine.GetKey("k", 1);
        Secrets.AssertText("value 1", SecretValueType.String, first);
    }

    [Fact]
    public void Versions_of_different_keys_count_independently()
    {
        Write("a", 1);
        Write("a", 2);
        Assert.Equal(1, Write("b", 1).Version);
        Assert.Equal(3, Write("a", 3).Version);
    }

    [Fact]
    public void A_key_removed_and_written_again_starts_at_version_1_without_the_old_versions()
    {
        Write("k", 1);
        Write("k", 2);
        _vault.Engine.RemoveKey("k");

        Assert.Equal(1, Write("k", 3).Version);
        Assert.Throws<VaultKeyVersionNotFoundException>(() => _vault.Engine.GetKey("k", 2));
        Assert.Equal("value 3", Secrets.ReadText(_vault.Engine, "k", 1));
    }
}
