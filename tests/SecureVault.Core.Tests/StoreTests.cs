using System.Text;
using SecureVault.Storage;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>The embedded SQLite file: its mode, journal, and that it holds no plaintext names or values.</summary>
public sealed class StoreTests : IDisposable
{
    private readonly TestVault _vault = new();

    public void Dispose() => _vault.Dispose();

    [Fact]
    public void The_vault_file_is_created_readable_and_writable_by_its_owner_only()
    {
        if (OperatingSystem.IsWindows()) return; // Unix mode bits; Windows relies on the profile folder's ACL
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_vault.Path));
    }

    [Fact]
    public void The_file_uses_the_write_ahead_log_and_records_its_schema_version()
    {
        _vault.Release();
        using var file = new RawVaultFile(_vault.Path);
        Assert.Equal("wal", file.Scalar("PRAGMA journal_mode"));
        Assert.Equal((long)SqliteSchema.Version, file.Scalar("PRAGMA user_version"));
        Assert.Equal("SecureVault", file.Scalar("SELECT magic FROM vault_header"));
        Assert.Equal((long)VaultEngine.FormatVersion, file.Scalar("SELECT format_version FROM vault_header"));
    }

    [Fact]
    public void The_file_contains_no_key_name_value_tag_service_or_password_in_plain_form()
    {
        const string name = "plain-name-4d1c9e";
        const string text = "plain-value-8b27f0";
        const string tag = "plain-tag-a55e1b";
        const string service = "plain-service-0f9d3a";
        using (var value = SecretText.FromString(text))
            _vault.Engine.SetKey(name, value, new KeyUpdate(Tags: [tag], Service: service, Description: "plain-description"));
        using (var value = Secrets.Credential("plain-user-77aa", "plain-password-31bd"))
            _vault.Engine.SetKey("cred", value);

        _vault.Modify(f => f.Checkpoint());
        _vault.Release();
        var bytes = File.ReadAllBytes(_vault.Path);
        foreach (var plain in new[] { name, text, tag, service, "plain-description", "plain-user-77aa", "plain-password-31bd" })
        {
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(plain)) < 0, $"'{plain}' appears in the file");
            Assert.True(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(plain)) < 0, $"'{plain}' appears in the file as UTF-16");
        }
        Assert.True(bytes.AsSpan().IndexOf(TestVault.Password) < 0, "the password appears in the file");
    }

    [Fact]
    public void Reopening_the_file_keeps_every_key()
    {
        for (int i = 0; i < 5; i++)
        {
            using var value = SecretText.FromString("v" + i);
            _vault.Engine.SetKey("k" + i, value);
        }
        var engine = _vault.Reopen();
        Assert.Equal(5, engine.GetStatus().KeyCount);
        engine.Unlock(TestVault.Password);
        Assert.Equal("v4", Secrets.ReadText(engine, "k4"));
    }
}
