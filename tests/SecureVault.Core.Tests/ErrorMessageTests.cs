using System.Text;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>
/// Errors carry a stable id, and no message ever repeats a secret: failures are provoked around a
/// known secret value and password, and every exception (with inner exceptions) is searched for it.
/// </summary>
public sealed class ErrorMessageTests : IDisposable
{
    private const string KnownValue = "Zq7-secret-value-never-in-messages";
    private const string SecretPassword = "Pw9-password-never-in-messages";
    private readonly TestVault _vault = new();

    public void Dispose() => _vault.Dispose();

    private static void AssertSecretFree(Exception e)
    {
        var everything = e.ToString(); // type, message and stack of the exception and every inner one
        foreach (var secret in new[] { KnownValue, SecretPassword })
        {
            Assert.DoesNotContain(secret, everything);
            Assert.DoesNotContain(secret[..12], everything); // no leading fragment either
        }
    }

    private static TException Caught<TException>(Action action) where TException : Exception
    {
        var e = Assert.ThrowsAny<TException>(action);
        AssertSecretFree(e);
        return e;
    }

    [Fact]
    public void No_exception_around_a_known_secret_contains_it()
    {
        var password = Encoding.UTF8.GetBytes(SecretPassword);
        using (var value = SecretText.FromString(KnownValue)) _vault.Engine.SetKey("known", value);

        // Values refused for size or shape.
        var repeated = string.Concat(Enumerable.Repeat(KnownValue, SecretCodec.MaxValueBytes / KnownValue.Length + 1));
        using (var tooBig = SecretText.FromString(repeated))
            Caught<VaultInvalidInputException>(() => _vault.Engine.SetKey("known", tooBig));
        using (var credential = Secrets.Credential("user", repeated))
            Caught<VaultInvalidInputException>(() => _vault.Engine.SetKey("cred", credential));
        using (var nested = new SecretTable([new SecretTableEntry("t", new SecretTable([new SecretTableEntry(KnownValue, SecretText.FromString(KnownValue))]))]))
            Caught<VaultInvalidInputException>(() => _vault.Engine.SetKey("nested", nested));

        // Passwords refused or wrong.
        Caught<VaultInvalidInputException>(() => _vault.Engine.ChangePassword(TestVault.Password, Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(SecretPassword, 40)))));
        Caught<VaultAuthenticationException>(() => _vault.Engine.ChangePassword(password, password));
        var locked = _vault.Reopen();
        Caught<VaultAuthenticationException>(() => locked.Unlock(password));
        Caught<VaultAuthenticationException>(() => locked.Unlock(password, "someone"));
        Caught<VaultLockedException>(() => locked.GetKey("known"));

        // Reads refused: missing version, damaged value.
        locked.Unlock(TestVault.Password);
        Caught<VaultKeyVersionNotFoundException>(() => locked.GetKey("known", 5));
        var id = locked.GetKeyInfo("known").Id.ToByteArray();
        var damaged = _vault.Modify(f => f.FlipByte("secret_versions", "tag", "secret_id = $a0", id));
        damaged.Unlock(TestVault.Password);
        Caught<VaultIntegrityException>(() => damaged.GetKey("known"));
        var rolledBack = _vault.Modify(f => f.Execute("UPDATE secrets SET current_version = 0 WHERE secret_id = $a0", id));
        rolledBack.Unlock(TestVault.Password);
        Caught<VaultIntegrityException>(() => rolledBack.GetKey("known"));
    }

    [Fact]
    public void A_key_name_is_not_secret_but_a_rejected_name_is_reported_by_position_not_echoed()
    {
        var e = Caught<VaultInvalidInputException>(() =>
        {
            using var value = SecretText.FromString("v");
            _vault.Engine.SetKey("pasted " + KnownValue + "\n", value);
        });
        Assert.Equal("InvalidInput", e.ErrorId);
    }

    public static TheoryData<VaultException, string> ErrorIds => new()
    {
        { new VaultLockedException("v"), "VaultLocked" },
        { new VaultNotFoundException("v"), "VaultNotFound" },
        { new VaultAlreadyExistsException("v"), "VaultExists" },
        { new VaultKeyNotFoundException("k"), "KeyNotFound" },
        { new VaultKeyVersionNotFoundException("k", 1), "KeyVersionNotFound" },
        { new VaultKeyExpiredException("k", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch), "KeyExpired" },
        { new VaultKeyVersionRetiredException("k", 1, DateTimeOffset.UnixEpoch), "KeyVersionRetired" },
        { new VaultRotationFailedException("k", "the script failed"), "RotationFailed" },
        { new VaultAccessDeniedException("read", "p"), "AccessDenied" },
        { new VaultAuthenticationException("p"), "AuthenticationFailed" },
        { new VaultPrincipalLockedOutException("p", DateTimeOffset.UnixEpoch), "PrincipalLockedOut" },
        { new VaultIntegrityException("x"), "IntegrityViolation" },
        { new VaultConcurrencyException("v"), "ConcurrencyConflict" },
        { new VaultStorageException("x"), "StorageError" },
        { new VaultInvalidInputException("x"), "InvalidInput" },
    };

    [Theory]
    [MemberData(nameof(ErrorIds))]
    public void Every_error_type_has_its_stable_id_and_a_message(VaultException e, string id)
    {
        // The cmdlets and the CLI publish these ids (FullyQualifiedErrorId, exit codes): renaming one breaks callers.
        Assert.Equal(id, e.ErrorId);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }
}
