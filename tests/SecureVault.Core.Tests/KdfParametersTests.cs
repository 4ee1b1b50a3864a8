using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using SecureVault.Crypto;

namespace SecureVault.Tests;

/// <summary>Argon2id parameters: the default, the stored form, and refusal of anything out of range.</summary>
public sealed class KdfParametersTests
{
    private static byte[] Salt() => RandomNumberGenerator.GetBytes(KdfParameters.SaltSize);

    private static (KdfParameters Parameters, byte[] Salt) StoredKeyslotKdf(TestVault vault)
    {
        vault.Release();
        using var file = new RawVaultFile(vault.Path);
        return KdfParameters.Decode(file.ReadBlob("keyslots", "kdf", "kind = 1"));
    }

    [Fact]
    public void A_vault_created_with_the_default_KDF_stores_64_MiB_3_iterations_4_lanes()
    {
        // The only test that pays for the default Argon2id cost.
        using var vault = new TestVault(create: false);
        vault.Engine.Create(TestVault.Password, "owner");

        Assert.Equal("Argon2id m=64 MiB, t=3, p=4", vault.Engine.GetStatus().Kdf);
        var (parameters, salt) = StoredKeyslotKdf(vault);
        Assert.Equal(new KdfParameters(64 * 1024, 3, 4), parameters);
        Assert.Equal(KdfParameters.SaltSize, salt.Length);
        Assert.Contains(salt, b => b != 0);
    }

    [Fact]
    public void Parameters_given_at_creation_are_stored_and_used()
    {
        using var vault = new TestVault(create: false);
        vault.Engine.Create(TestVault.Password, "owner", new KdfParameters(2048, 2, 2));

        Assert.Equal("Argon2id m=2 MiB, t=2, p=2", vault.Engine.GetStatus().Kdf);
        Assert.Equal(new KdfParameters(2048, 2, 2), StoredKeyslotKdf(vault).Parameters);
        vault.Reopen().Unlock(TestVault.Password);
    }

    [Fact]
    public void Every_keyslot_gets_a_fresh_salt_also_when_the_password_changes()
    {
        using var first = new TestVault();
        using var second = new TestVault();
        var firstSalt = StoredKeyslotKdf(first).Salt;
        Assert.NotEqual(firstSalt, StoredKeyslotKdf(second).Salt);

        first.Reopen().ChangePassword(TestVault.Password, Encoding.UTF8.GetBytes("another long password"));
        var (parameters, newSalt) = StoredKeyslotKdf(first);
        Assert.NotEqual(firstSalt, newSalt);
        Assert.Equal(TestVault.CheapKdf, parameters); // a password change keeps the cost
    }

    [Fact]
    public void The_stored_form_round_trips()
    {
        var salt = Salt();
        var parameters = new KdfParameters(65536, 3, 4);
        var stored = parameters.Encode(salt);

        Assert.Equal(31, stored.Length);
        var (decoded, decodedSalt) = KdfParameters.Decode(stored);
        Assert.Equal(parameters, decoded);
        Assert.Equal(salt, decodedSalt);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(0)]
    public void Encoding_refuses_a_salt_that_is_not_16_bytes(int length)
    {
        Assert.Throws<ArgumentException>(() => TestVault.CheapKdf.Encode(new byte[length]));
    }

    public static TheoryData<string, Func<byte[], byte[]>> Corruptions => new()
    {
        { "empty", _ => [] },
        { "truncated before the salt", b => b[..14] },
        { "truncated salt", b => b[..30] },
        { "trailing byte", b => [.. b, 0] },
        { "unknown format version", b => { b[0] = 3; return b; } },
        { "format version zero", b => { b[0] = 0; return b; } },
        { "unknown algorithm", b => { b[1] = 2; return b; } },
        { "salt length byte too small", b => { b[14] = 15; return b; } },
        { "salt length byte too large", b => { b[14] = 255; return b; } },
        { "memory zero", b => { BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(2), 0); return b; } },
        { "memory above 4 GiB", b => { BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(2), KdfParameters.MaxMemoryKiB + 1u); return b; } },
        { "memory at uint max", b => { BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(2), uint.MaxValue); return b; } },
        { "iterations zero", b => { BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(6), 0); return b; } },
        { "iterations above the ceiling", b => { BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(6), KdfParameters.MaxIterations + 1u); return b; } },
        { "parallelism zero", b => { BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(10), 0); return b; } },
        { "parallelism above the ceiling", b => { BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(10), KdfParameters.MaxParallelism + 1u); return b; } },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Decoding_refuses_a_damaged_or_out_of_range_blob_as_an_integrity_failure(string what, Func<byte[], byte[]> corrupt)
    {
        var stored = corrupt(new KdfParameters(65536, 3, 4).Encode(Salt()));
        var e = Assert.Throws<VaultIntegrityException>(() => KdfParameters.Decode(stored));
        Assert.True(e.ErrorId == "IntegrityViolation", what);
    }

    [Fact]
    public void Decoding_refuses_null()
    {
        Assert.Throws<VaultIntegrityException>(() => KdfParameters.Decode(null!));
    }

    [Theory]
    [InlineData(1024, 1, 1)]
    [InlineData(4 * 1024 * 1024, 64, 64)]
    [InlineData(64 * 1024, 3, 4)]
    public void Parameters_at_the_bounds_are_accepted(int memoryKiB, int iterations, int parallelism)
    {
        var parameters = new KdfParameters(memoryKiB, iterations, parallelism);
        Assert.Same(parameters, parameters.Validated());
    }

    [Theory]
    [InlineData(1023, 1, 1)]
    [InlineData(4 * 1024 * 1024 + 1, 1, 1)]
    [InlineData(1024, 0, 1)]
    [InlineData(1024, 65, 1)]
    [InlineData(1024, 1, 0)]
    [InlineData(1024, 1, 65)]
    [InlineData(-1, 1, 1)]
    public void Parameters_out_of_range_are_refused_as_invalid_input(int memoryKiB, int iterations, int parallelism)
    {
        Assert.Throws<VaultInvalidInputException>(() => new KdfParameters(memoryKiB, iterations, parallelism).Validated());
    }

    [Fact]
    public void The_default_is_64_MiB_3_iterations_4_lanes()
    {
        Assert.Equal(new KdfParameters(65536, 3, 4), KdfParameters.Default);
        Assert.Equal("Argon2id m=64 MiB, t=3, p=4", KdfParameters.Default.ToString());
    }
}
