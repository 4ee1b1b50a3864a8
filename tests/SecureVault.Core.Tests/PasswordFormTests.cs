using System.Security;
using System.Text;
using SecureVault.Crypto;
using SecureVault.Memory;

namespace SecureVault.Tests;

/// <summary>
/// One password is one key: ill-formed UTF-16 and U+FFFD are refused (they made several passwords
/// unlock the same vault), passwords are NFC-normalized before Argon2, and keyslots sealed before
/// that rule (KDF version 1) still open with the password's bytes as they were.
/// </summary>
public sealed class PasswordFormTests
{
    private const string Base = "correct horse battery staple ";

    /// <summary>
    /// The last UTF-16 code unit of the four passwords that all unlocked the same vault (lone
    /// surrogates became U+FFFD). Numbers, not strings: xunit would give the lone-surrogate strings
    /// one test id and run only one of them.
    /// </summary>
    public static TheoryData<int> SurrogateAndReplacementPasswords => new() { 0xD800, 0xDBFF, 0xDC00, 0xFFFD };

    private static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (char c in text) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }

    /// <summary>The password as a cmdlet would pass it: SecureString to UTF-8 through the strict conversion.</summary>
    private static SecureBuffer AsCmdletWould(string text)
    {
        using var secure = Secure(text);
        return SecureText.PasswordToUtf8(secure);
    }

    /// <summary>Runs what a front end does with the password: convert, then call the engine.</summary>
    private static void WithPassword(string text, Action<byte[]> use)
    {
        using var utf8 = AsCmdletWould(text);
        use(utf8.ToArray());
    }

    [Theory]
    [MemberData(nameof(SurrogateAndReplacementPasswords))]
    public void Such_a_password_is_refused_as_invalid_input_at_creation(int lastUnit)
    {
        var password = Base + (char)lastUnit;
        using var vault = new TestVault(create: false);
        var e = Assert.Throws<VaultInvalidInputException>(() => WithPassword(password, p => vault.Engine.Create(p, "owner", TestVault.CheapKdf)));
        Assert.Equal("InvalidInput", e.ErrorId);
        Assert.False(File.Exists(vault.Path));
    }

    [Theory]
    [MemberData(nameof(SurrogateAndReplacementPasswords))]
    public void Such_a_password_is_refused_as_invalid_input_at_unlock(int lastUnit)
    {
        var password = Base + (char)lastUnit;
        using var vault = new TestVault();
        vault.Engine.Lock();
        Assert.Throws<VaultInvalidInputException>(() => WithPassword(password, p => vault.Engine.Unlock(p, "owner")));
        Assert.False(vault.Engine.IsUnlocked);
    }

    [Theory]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]   // a surrogate encoded as UTF-8 (CESU / WTF-8): not UTF-8
    [InlineData(new byte[] { 0xC0, 0xAF })]         // an overlong encoding
    [InlineData(new byte[] { 0xFF })]
    public void Bytes_that_are_not_UTF_8_are_refused_by_the_engine_itself(byte[] tail)
    {
        using var vault = new TestVault();
        vault.Engine.Lock();
        byte[] password = [.. Encoding.UTF8.GetBytes(Base), .. tail];
        Assert.Throws<VaultInvalidInputException>(() => vault.Engine.Unlock(password, "owner"));
        using var fresh = new TestVault(create: false);
        Assert.Throws<VaultInvalidInputException>(() => fresh.Engine.Create(password, "owner", TestVault.CheapKdf));
    }

    [Fact]
    public void The_conversion_refuses_a_lone_surrogate_and_keeps_a_pair()
    {
        Assert.Throws<VaultInvalidInputException>(() => AsCmdletWould("x\uD83D"));
        Assert.Throws<VaultInvalidInputException>(() => AsCmdletWould("\uDE00x"));
        using var pair = AsCmdletWould("x\uD83D\uDE00");
        Assert.Equal("x\U0001F600", Encoding.UTF8.GetString(pair.ReadOnlySpan));
    }

    [Theory]
    [InlineData("\u00E9", "e\u0301")]
    [InlineData("e\u0301", "\u00E9")]
    [InlineData("\u212B", "\u00C5")]   // ANGSTROM SIGN is A WITH RING ABOVE in NFC
    public void Canonically_equivalent_spellings_unlock_the_same_new_vault(string created, string typed)
    {
        using var vault = new TestVault(create: false);
        WithPassword(Base + created, p => vault.Engine.Create(p, "owner", TestVault.CheapKdf));
        vault.Engine.Lock();
        WithPassword(Base + typed, p => vault.Engine.Unlock(p, "owner"));
        Assert.True(vault.Engine.IsUnlocked);
    }

    [Fact]
    public void A_new_keyslot_is_stored_with_KDF_version_2()
    {
        using var vault = new TestVault();
        vault.Release();
        using var file = new RawVaultFile(vault.Path);
        var stored = file.ReadBlob("keyslots", "kdf", "kind = 1");
        Assert.Equal(2, stored[0]);
        Assert.True(KdfParameters.Decode(stored).Parameters.PasswordNormalized);
    }

    [Fact]
    public void An_old_format_keyslot_still_opens_with_its_password_bytes_as_they_were_set()
    {
        // Keyslots sealed before normalization (version 1) got the bytes as given: here "e" + U+0301.
        using var vault = new TestVault(create: false);
        var legacy = TestVault.CheapKdf with { PasswordNormalized = false };
        WithPassword(Base + "e\u0301", p => vault.Engine.Create(p, "owner", legacy));
        vault.Release();
        using (var file = new RawVaultFile(vault.Path)) Assert.Equal(1, file.ReadBlob("keyslots", "kdf", "kind = 1")[0]);

        var engine = vault.Reopen();
        // The NFC spelling is another password for this old keyslot, as it always was.
        Assert.Throws<VaultAuthenticationException>(() => WithPassword(Base + "\u00E9", p => engine.Unlock(p, "owner")));
        WithPassword(Base + "e\u0301", p => engine.Unlock(p, "owner"));
        Assert.True(engine.IsUnlocked);

        // A password change writes the new form: from then on both spellings open it.
        WithPassword(Base + "e\u0301", current => WithPassword("a new passphrase \u00E9t\u00E9", next => engine.ChangePassword(current, next)));
        engine.Lock();
        WithPassword("a new passphrase e\u0301te\u0301", p => engine.Unlock(p, "owner"));
        Assert.True(engine.IsUnlocked);
    }

    [Fact]
    public void Normalization_leaves_ASCII_alone_and_composes_otherwise()
    {
        using (var ascii = PasswordForm.Normalize("plain ascii"u8)) Assert.Equal("plain ascii", Encoding.UTF8.GetString(ascii.ReadOnlySpan));
        using var composed = PasswordForm.Normalize(Encoding.UTF8.GetBytes("Cafe\u0301 \u212B"));
        Assert.Equal("Caf\u00E9 \u00C5", Encoding.UTF8.GetString(composed.ReadOnlySpan));
        Assert.True(PasswordForm.NormalizesWithoutStrings); // the tests run on .NET 10: the string-free path
    }
}
