// Argon2id (RFC 9106) parameters as stored beside each password keyslot.
// Stored form: [version][alg=1 Argon2id][memoryKiB u32 LE][iterations u32 LE][parallelism u32 LE][saltLen u8][salt].
// Version 2: the password is checked and NFC-normalized before Argon2 (PasswordForm); every keyslot
// sealed since issue 12 has it. Version 1: the password's bytes go to Argon2 as given (keyslots
// sealed before), so vaults whose password was set un-normalized keep opening. The blob is part of
// the keyslot's AAD, so the version cannot be changed undetected.
// Every field is range-checked on read: a stored length or parameter never drives an allocation unchecked.
using System.Buffers.Binary;

namespace SecureVault.Crypto;

/// <summary>Argon2id cost parameters and salt for one password keyslot.</summary>
public sealed record KdfParameters(int MemoryKiB, int Iterations, int Parallelism)
{
    /// <summary>
    /// True (stored version 2, the default for every new password): the password must be well-formed
    /// UTF-8 without U+FFFD and is NFC-normalized before Argon2. False (version 1): an older keyslot,
    /// whose password bytes go to Argon2 unchanged.
    /// </summary>
    public bool PasswordNormalized { get; internal init; } = true;

    public const int SaltSize = 16;
    public const int MinMemoryKiB = 1024;          // 1 MiB: the floor tests use; below it Argon2 is not worth its name
    public const int MaxMemoryKiB = 4 * 1024 * 1024; // 4 GiB
    public const int MaxIterations = 64;
    public const int MaxParallelism = 64;
    private const byte RawPasswordVersion = 1;
    private const byte NormalizedPasswordVersion = 2;
    private const byte AlgorithmArgon2id = 1;
    private const int EncodedSize = 2 + 12 + 1 + SaltSize;

    /// <summary>The default: m = 64 MiB, t = 3, p = 4 (RFC 9106 second recommended option, scaled).</summary>
    public static KdfParameters Default { get; } = new(64 * 1024, 3, 4);

    /// <summary>Throws <see cref="VaultInvalidInputException"/> when a parameter is out of range.</summary>
    public KdfParameters Validated()
    {
        if (MemoryKiB < MinMemoryKiB || MemoryKiB > MaxMemoryKiB)
            throw new VaultInvalidInputException($"KDF memory must be between {MinMemoryKiB / 1024} MiB and {MaxMemoryKiB / 1024} MiB.");
        if (Iterations < 1 || Iterations > MaxIterations)
            throw new VaultInvalidInputException($"KDF iterations must be between 1 and {MaxIterations}.");
        if (Parallelism < 1 || Parallelism > MaxParallelism)
            throw new VaultInvalidInputException($"KDF parallelism must be between 1 and {MaxParallelism}.");
        if (MemoryKiB < 8 * Parallelism)
            throw new VaultInvalidInputException("KDF memory must be at least 8 KiB per lane of parallelism.");
        return this;
    }

    /// <summary>Serializes these parameters with <paramref name="salt"/> in the stored form.</summary>
    public byte[] Encode(ReadOnlySpan<byte> salt)
    {
        if (salt.Length != SaltSize) throw new ArgumentException("Salt must be 16 bytes.", nameof(salt));
        var bytes = new byte[EncodedSize];
        bytes[0] = PasswordNormalized ? NormalizedPasswordVersion : RawPasswordVersion;
        bytes[1] = AlgorithmArgon2id;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(2), (uint)MemoryKiB);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(6), (uint)Iterations);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(10), (uint)Parallelism);
        bytes[14] = SaltSize;
        salt.CopyTo(bytes.AsSpan(15));
        return bytes;
    }

    /// <summary>Parses the stored form; a wrong version, length or out-of-range value is an integrity error.</summary>
    public static (KdfParameters Parameters, byte[] Salt) Decode(byte[] stored)
    {
        if (stored is null || stored.Length < 15)
            throw new VaultIntegrityException("keyslot KDF parameters are truncated");
        if (stored[0] is not (RawPasswordVersion or NormalizedPasswordVersion) || stored[1] != AlgorithmArgon2id)
            throw new VaultIntegrityException("keyslot KDF parameters have an unknown version or algorithm");
        int saltLength = stored[14];
        if (saltLength != SaltSize || stored.Length != 15 + saltLength)
            throw new VaultIntegrityException("keyslot KDF salt length does not match the stored data");
        var parameters = new KdfParameters(
            (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(stored.AsSpan(2)), int.MaxValue),
            (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(stored.AsSpan(6)), int.MaxValue),
            (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(stored.AsSpan(10)), int.MaxValue))
        {
            PasswordNormalized = stored[0] == NormalizedPasswordVersion,
        };
        try
        {
            parameters.Validated();
        }
        catch (VaultInvalidInputException e)
        {
            throw new VaultIntegrityException("keyslot KDF parameters are out of range", e);
        }
        return (parameters, stored.AsSpan(15, saltLength).ToArray());
    }

    /// <summary>A short human description, for status output.</summary>
    public override string ToString() => $"Argon2id m={MemoryKiB / 1024} MiB, t={Iterations}, p={Parallelism}";
}
