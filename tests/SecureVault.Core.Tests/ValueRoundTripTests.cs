using System.Security;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>Every value type comes back exactly, with its type, after the vault is closed and unlocked again.</summary>
public sealed class ValueRoundTripTests : IDisposable
{
    private readonly TestVault _vault = new();

    public void Dispose() => _vault.Dispose();

    /// <summary>Closes and unlocks the vault again, so reads come from the file and not from anything cached.</summary>
    private VaultEngine Reopened()
    {
        var engine = _vault.Reopen();
        engine.Unlock(TestVault.Password);
        return engine;
    }

    [Theory]
    [InlineData("ghp_16C7e42F292c6912E7710c838347Ae178B4a")]
    [InlineData("пароль 密码 パスワード 🔑🗝️ e\u0301 ﬁ")]
    [InlineData(" leading and trailing spaces ")]
    [InlineData("line one\nline two\r\n\ttabbed\0nul")]
    [InlineData("")]
    public void A_string_comes_back_with_the_same_characters_and_type(string text)
    {
        using (var value = SecretText.FromString(text)) _vault.Engine.SetKey("text", value);

        using var read = Reopened().GetKey("text");
        Secrets.AssertText(text, SecretValueType.String, read);
    }

    [Fact]
    public void The_empty_string_is_stored_as_a_value_of_length_zero()
    {
        using (var value = SecretText.FromString("")) _vault.Engine.SetKey("empty", value);

        Assert.Equal(SecretValueType.String, Reopened().GetKeyInfo("empty").Type);
        Assert.Equal("", Secrets.ReadText(_vault.Engine, "empty"));
    }

    [Theory]
    [InlineData("s3cure-string-ünïcødé-🔐")]
    [InlineData("")]
    public void A_SecureString_comes_back_as_a_SecureString_with_the_same_characters(string text)
    {
        using (var secure = Secrets.Secure(text))
        using (var value = SecretText.FromSecureString(secure))
        {
            Assert.Equal(SecretValueType.SecureString, _vault.Engine.SetKey("secure", value).Type);
        }

        using var read = Assert.IsType<SecretText>(Reopened().GetKey("secure"));
        Assert.Equal(SecretValueType.SecureString, read.Type);
        using SecureString back = read.ToSecureString();
        Assert.True(back.IsReadOnly());
        Assert.Equal(text.Length, back.Length);
        using var original = Secrets.Secure(text);
        Assert.Equal(Secrets.Utf8(original), Secrets.Utf8(back));
    }

    [Fact]
    public void A_byte_array_holding_every_byte_value_comes_back_exactly()
    {
        var all = new byte[512];
        for (int i = 0; i < all.Length; i++) all[i] = (byte)(i % 256);
        // Includes bytes that are not valid UTF-8 and NULs: the value must not pass through text.
        using (var value = SecretBytes.CopyOf(all)) _vault.Engine.SetKey("bytes", value);

        using var read = Reopened().GetKey("bytes");
        Secrets.AssertBytes(all, read);
    }

    [Fact]
    public void An_empty_byte_array_comes_back_empty()
    {
        using (var value = SecretBytes.CopyOf([])) _vault.Engine.SetKey("nothing", value);

        using var read = Reopened().GetKey("nothing");
        Secrets.AssertBytes([], read);
    }

    [Theory]
    [InlineData("svc-deploy", "P@ss w0rd ✓")]
    [InlineData(@"CONTOSO\admin", "")]
    [InlineData("", "password-without-user")]
    [InlineData("ユーザー", "パスワード")]
    public void A_credential_comes_back_with_its_user_name_and_password(string user, string password)
    {
        using (var value = Secrets.Credential(user, password)) _vault.Engine.SetKey("cred", value);

        using var read = Reopened().GetKey("cred");
        Secrets.AssertCredential(user, password, read);
    }

    [Fact]
    public void A_hashtable_comes_back_with_every_entry_and_each_entry_type()
    {
        var bytes = new byte[256];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)i;
        using (var secure = Secrets.Secure("secure-entry"))
        using (var table = new SecretTable([
            new SecretTableEntry("plain", SecretText.FromString("text entry ✓")),
            new SecretTableEntry("secure", SecretText.FromSecureString(secure)),
            new SecretTableEntry("raw", SecretBytes.CopyOf(bytes)),
            new SecretTableEntry("login", Secrets.Credential("user", "pw")),
            new SecretTableEntry("empty", SecretText.FromString("")),
            new SecretTableEntry("ключ", SecretText.FromString("unicode key")),
        ]))
        {
            _vault.Engine.SetKey("table", table);
        }

        using var read = Assert.IsType<SecretTable>(Reopened().GetKey("table"));
        Assert.Equal(SecretValueType.Hashtable, read.Type);
        Assert.Equal(["plain", "secure", "raw", "login", "empty", "ключ"], read.Entries.Select(e => e.Key));
        Secrets.AssertText("text entry ✓", SecretValueType.String, read.Entries[0].Value);
        Secrets.AssertText("secure-entry", SecretValueType.SecureString, read.Entries[1].Value);
        Secrets.AssertBytes(bytes, read.Entries[2].Value);
        Secrets.AssertCredential("user", "pw", read.Entries[3].Value);
        Secrets.AssertText("", SecretValueType.String, read.Entries[4].Value);
        Secrets.AssertText("unicode key", SecretValueType.String, read.Entries[5].Value);
    }

    [Fact]
    public void An_empty_hashtable_comes_back_empty()
    {
        using (var table = new SecretTable([])) _vault.Engine.SetKey("table", table);

        using var read = Assert.IsType<SecretTable>(Reopened().GetKey("table"));
        Assert.Empty(read.Entries);
    }

    [Fact]
    public void The_info_of_a_key_reports_the_stored_type_and_metadata()
    {
        using (var value = SecretBytes.CopyOf([1, 2, 3]))
            _vault.Engine.SetKey("api/key", value, new KeyUpdate(Tags: ["prod", "PROD", "ci"], Service: "github", Description: "deploy key"));

        var info = Reopened().GetKeyInfo("API/KEY");
        Assert.Equal("api/key", info.Name);
        Assert.Equal(SecretValueType.ByteArray, info.Type);
        Assert.Equal(1, info.Version);
        Assert.Equal(["prod", "ci"], info.Tags);
        Assert.Equal("github", info.Service);
        Assert.Equal("deploy key", info.Description);
        Assert.Equal(_vault.Path, info.Vault);
    }

    [Fact]
    public void A_later_write_without_metadata_keeps_the_tags_service_and_description()
    {
        using (var value = SecretText.FromString("one"))
            _vault.Engine.SetKey("k", value, new KeyUpdate(Tags: ["a"], Service: "svc", Description: "d"));
        using (var value = SecretText.FromString("two")) _vault.Engine.SetKey("k", value);

        var info = _vault.Engine.GetKeyInfo("k");
        Assert.Equal(["a"], info.Tags);
        Assert.Equal("svc", info.Service);
        Assert.Equal("d", info.Description);

        using (var value = SecretText.FromString("three"))
            info = _vault.Engine.SetKey("k", value, new KeyUpdate(Tags: [], Service: "", Description: ""));
        Assert.Empty(info.Tags);
        Assert.Null(info.Service);
        Assert.Null(info.Description);
    }

    [Fact]
    public void A_removed_key_can_no_longer_be_read_and_its_name_is_free_again()
    {
        using (var value = SecretText.FromString("old")) _vault.Engine.SetKey("gone", value);

        var removed = _vault.Engine.RemoveKey("GONE");
        Assert.Equal("gone", removed.Name);
        Assert.Throws<VaultKeyNotFoundException>(() => _vault.Engine.GetKey("gone"));
        Assert.Throws<VaultKeyNotFoundException>(() => _vault.Engine.RemoveKey("gone"));
        Assert.Empty(_vault.Engine.ListKeys());

        using (var value = SecretText.FromString("new")) Assert.Equal(1, _vault.Engine.SetKey("gone", value).Version);
        Assert.Equal("new", Secrets.ReadText(Reopened(), "gone"));
    }

    [Fact]
    public void Reading_a_key_that_does_not_exist_is_a_typed_error()
    {
        var e = Assert.Throws<VaultKeyNotFoundException>(() => _vault.Engine.GetKey("missing"));
        Assert.Equal("KeyNotFound", e.ErrorId);
        Assert.Equal("missing", e.Target);
        Assert.Throws<VaultKeyNotFoundException>(() => _vault.Engine.GetKeyInfo("missing"));
    }
}
