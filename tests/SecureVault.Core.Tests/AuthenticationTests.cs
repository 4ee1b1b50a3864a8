using System.Text;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>Creating, unlocking and changing the password of a vault.</summary>
public sealed class AuthenticationTests : IDisposable
{
    private static readonly byte[] NewPassword = Encoding.UTF8.GetBytes("a new and longer passphrase");
    private readonly TestVault _vault = new();

    public AuthenticationTests()
    {
        using var value = SecretText.FromString("kept across password changes");
        _vault.Engine.SetKey("k", value);
    }

    public void Dispose() => _vault.Dispose();

    private VaultEngine Locked() => _vault.Reopen();

    [Fact]
    public void The_right_password_unlocks_and_the_keys_are_readable()
    {
        var engine = Locked();
        Assert.False(engine.IsUnlocked);
        engine.Unlock(TestVault.Password);
        Assert.True(engine.IsUnlocked);
        Assert.Equal("kept across password changes", Secrets.ReadText(engine, "k"));
    }

    [Theory]
    [InlineData("correct horse battery stapl")]
    [InlineData("Correct horse battery staple")]
    [InlineData("correct horse battery staple ")]
    [InlineData("")]
    public void A_wrong_password_fails_authentication_and_leaves_the_vault_locked(string password)
    {
        var engine = Locked();
        var e = Assert.Throws<VaultAuthenticationException>(() => engine.Unlock(Encoding.UTF8.GetBytes(password)));
        Assert.Equal("AuthenticationFailed", e.ErrorId);
        Assert.False(engine.IsUnlocked);
        Assert.Throws<VaultLockedException>(() => engine.GetKey("k"));
    }

    [Fact]
    public void An_empty_password_fails_authentication_for_a_known_or_unknown_principal_and_as_current_password()
    {
        var engine = Locked();
        Assert.Throws<VaultAuthenticationException>(() => engine.Unlock([], "owner"));
        Assert.Throws<VaultAuthenticationException>(() => engine.Unlock([], "nobody"));
        Assert.Throws<VaultAuthenticationException>(() => engine.ChangePassword([], NewPassword));
        engine.Unlock(TestVault.Password);
    }

    [Fact]
    public void An_unknown_principal_fails_authentication_even_with_the_owners_password()
    {
        var engine = Locked();
        var e = Assert.Throws<VaultAuthenticationException>(() => engine.Unlock(TestVault.Password, "mallory"));
        Assert.Equal("mallory", e.Target);
        Assert.False(engine.IsUnlocked);
    }

    [Fact]
    public void The_principal_name_is_matched_without_regard_to_case()
    {
        var engine = Locked();
        engine.Unlock(TestVault.Password, "OWNER");
        Assert.Equal("owner", engine.GetStatus().Principal);
    }

    [Fact]
    public void After_a_password_change_the_old_password_fails_the_new_one_works_and_keys_are_intact()
    {
        _vault.Engine.ChangePassword(TestVault.Password, NewPassword);

        var engine = Locked();
        Assert.Throws<VaultAuthenticationException>(() => engine.Unlock(TestVault.Password));
        engine.Unlock(NewPassword);
        Assert.Equal("kept across password changes", Secrets.ReadText(engine, "k"));
        Assert.Equal("Argon2id m=1 MiB, t=1, p=1", engine.GetStatus().Kdf);
    }

    [Fact]
    public void The_password_can_be_changed_while_the_vault_is_locked()
    {
        var engine = Locked();
        engine.ChangePassword(TestVault.Password, NewPassword);

        Assert.False(engine.IsUnlocked);
        engine.Unlock(NewPassword);
        Assert.Equal("kept across password changes", Secrets.ReadText(engine, "k"));
    }

    [Fact]
    public void A_password_change_with_the_wrong_current_password_fails_and_changes_nothing()
    {
        Assert.Throws<VaultAuthenticationException>(() => _vault.Engine.ChangePassword(NewPassword, NewPassword));

        var engine = Locked();
        Assert.Throws<VaultAuthenticationException>(() => engine.Unlock(NewPassword));
        engine.Unlock(TestVault.Password);
    }

    [Theory]
    [InlineData("tiny pw")]
    [InlineData("fourteen chars")]
    [InlineData("ééééééééééééé1")] // 27 bytes but 14 characters: the rule counts characters
    [InlineData("PasswordPassword")] // long enough, but on the list of common passwords (case ignored)
    [InlineData("123456789012345")]
    public void A_new_password_that_is_too_short_or_common_is_refused_and_the_old_one_still_works(string refused)
    {
        var e = Assert.Throws<VaultInvalidInputException>(() => _vault.Engine.ChangePassword(TestVault.Password, Encoding.UTF8.GetBytes(refused)));
        Assert.Equal("InvalidInput", e.ErrorId);
        Assert.DoesNotContain(refused, e.Message);

        Locked().Unlock(TestVault.Password);
    }

    [Fact]
    public void A_new_password_of_exactly_the_minimum_length_is_accepted()
    {
        var fifteen = Encoding.UTF8.GetBytes("éééééé 12 ahead"); // 15 characters
        _vault.Engine.ChangePassword(TestVault.Password, fifteen);
        Locked().Unlock(fifteen);
    }

    [Theory]
    [InlineData("a", 257)] // 257 characters
    [InlineData("😀", 257)] // 257 characters in 1,028 bytes
    public void A_new_password_over_256_characters_is_refused(string character, int count)
    {
        var password = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(character, count)));
        Assert.Throws<VaultInvalidInputException>(() => _vault.Engine.ChangePassword(TestVault.Password, password));
        Locked().Unlock(TestVault.Password);
    }

    [Fact]
    public void A_new_password_of_256_characters_is_accepted()
    {
        var password = Encoding.UTF8.GetBytes(new string('x', 250) + " words");
        _vault.Engine.ChangePassword(TestVault.Password, password);
        Locked().Unlock(password);
    }

    [Fact]
    public void Unlocking_a_vault_that_does_not_exist_reports_it_is_not_found()
    {
        var engine = VaultEngine.Open(Path.Combine(_vault.Folder, "missing.vault"));
        var e = Assert.Throws<VaultNotFoundException>(() => engine.Unlock(TestVault.Password));
        Assert.Equal("VaultNotFound", e.ErrorId);
        Assert.False(engine.Exists);
    }

    [Fact]
    public void Creating_over_an_existing_vault_is_refused_and_the_vault_still_opens()
    {
        var engine = Locked();
        var e = Assert.Throws<VaultAlreadyExistsException>(() => engine.Create(NewPassword, "owner", TestVault.CheapKdf));
        Assert.Equal("VaultExists", e.ErrorId);

        engine.Unlock(TestVault.Password);
        Assert.Equal("kept across password changes", Secrets.ReadText(engine, "k"));
    }

    [Theory]
    [InlineData("short", "owner")]
    [InlineData("long enough password", "bad name!")]
    [InlineData("long enough password", "")]
    public void Creating_with_a_bad_password_or_principal_name_is_refused_and_leaves_no_file(string password, string principal)
    {
        var path = Path.Combine(_vault.Folder, "refused.vault");
        var engine = VaultEngine.Open(path);
        Assert.Throws<VaultInvalidInputException>(() => engine.Create(Encoding.UTF8.GetBytes(password), principal, TestVault.CheapKdf));
        Assert.False(File.Exists(path));
        Assert.False(engine.IsUnlocked);
    }

    [Fact]
    public void Creating_with_KDF_parameters_out_of_range_is_refused_and_leaves_no_file()
    {
        var path = Path.Combine(_vault.Folder, "refused.vault");
        var engine = VaultEngine.Open(path);
        Assert.Throws<VaultInvalidInputException>(() => engine.Create(NewPassword, "owner", new Crypto.KdfParameters(512, 1, 1)));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_new_vault_is_unlocked_for_its_creator_as_an_Admin()
    {
        var status = _vault.Engine.GetStatus();
        Assert.False(status.IsLocked);
        Assert.Equal("owner", status.Principal);
        Assert.Equal("Admin", status.Role);
    }

    [Fact]
    public void Without_a_principal_name_the_only_principal_is_unlocked()
    {
        var engine = Locked();
        engine.Unlock(TestVault.Password, principal: null);
        Assert.Equal("owner", engine.GetStatus().Principal);
    }
}
