using SecureVault.Crypto;
using SecureVault.Identity;
using SecureVault.Storage;
using SecureVault.Values;

namespace SecureVault.Tests;

/// <summary>
/// What a principal can take out of the vault file with its own password and no engine: its
/// password keyslot opens its private key, which unwraps its copy of the metadata key and of each
/// data key wrapped to it. A thief (or a principal about to be removed) keeps these; the rekey
/// tests check that afterwards they open nothing the vault holds.
/// </summary>
internal static class StolenKeys
{
    /// <summary>The metadata key as wrapped to <paramref name="principal"/> in the file now.</summary>
    public static byte[] MetadataKey(string vaultPath, string principal, byte[] password)
    {
        using var file = new RawVaultFile(vaultPath);
        var vaultId = FileWriter.VaultId(file);
        var principalId = FileWriter.PrincipalId(file, principal);
        var row = file.Rows("SELECT p.mk_nonce, p.mk_cipher, p.mk_tag, sk.public_key FROM principals p JOIN sender_keys sk ON sk.sender_id = p.mk_sender WHERE p.principal_id = $a0",
            principalId.ToByteArray()).Single();
        using var key = Unwrap(file, vaultId, principalId, principal, password, row,
            new WrapContext(WrapPurpose.MetadataKey, vaultId, vaultId, principalId), "metadata key");
        return key.ToArray();
    }

    /// <summary>The data key of a key as wrapped to <paramref name="principal"/> in the file now; null when none is wrapped to it.</summary>
    public static byte[]? DataKey(string vaultPath, string principal, byte[] password, Guid secretId)
    {
        using var file = new RawVaultFile(vaultPath);
        var vaultId = FileWriter.VaultId(file);
        var principalId = FileWriter.PrincipalId(file, principal);
        var row = file.Rows("SELECT k.nonce, k.cipher, k.tag, sk.public_key FROM secret_keys k JOIN sender_keys sk ON sk.sender_id = k.sender_id WHERE k.secret_id = $a0 AND k.principal_id = $a1",
            secretId.ToByteArray(), principalId.ToByteArray()).SingleOrDefault();
        if (row is null) return null;
        using var key = Unwrap(file, vaultId, principalId, principal, password, row,
            new WrapContext(WrapPurpose.DataKey, vaultId, secretId, principalId), "data key");
        return key.ToArray();
    }

    /// <summary>How many key rows' sealed metadata <paramref name="metadataKey"/> opens (and of how many rows).</summary>
    public static (int Opened, int Rows) MetadataOpenedBy(string vaultPath, byte[] metadataKey)
    {
        using var file = new RawVaultFile(vaultPath);
        var vaultId = FileWriter.VaultId(file);
        using var keys = new VaultKeys(Memory.SecureBuffer.CopyOf(metadataKey), vaultId);
        var rows = file.Rows("SELECT secret_id, meta_nonce, meta_cipher, meta_tag FROM secrets");
        int opened = 0;
        foreach (var row in rows)
        {
            try
            {
                KeyMetadata.Open(keys.MetadataCipherKey, new SealedBox((byte[])row[1]!, (byte[])row[2]!, (byte[])row[3]!), vaultId, new Guid((byte[])row[0]!));
                opened++;
            }
            catch (VaultIntegrityException)
            {
                // Expected for a key that no longer opens it: counted as not opened.
            }
        }
        return (opened, rows.Count);
    }

    /// <summary>True when the blind index <paramref name="metadataKey"/> gives <paramref name="name"/> is the index of a stored key row.</summary>
    public static bool FindsName(string vaultPath, byte[] metadataKey, string name)
    {
        using var file = new RawVaultFile(vaultPath);
        using var keys = new VaultKeys(Memory.SecureBuffer.CopyOf(metadataKey), FileWriter.VaultId(file));
        return (long)file.Scalar("SELECT COUNT(*) FROM secrets WHERE name_index = $a0", keys.NameIndex(name))! > 0;
    }

    /// <summary>How many stored versions of a key <paramref name="dataKey"/> decrypts (and of how many).</summary>
    public static (int Opened, int Rows) VersionsOpenedBy(string vaultPath, Guid secretId, byte[] dataKey)
    {
        using var file = new RawVaultFile(vaultPath);
        var vaultId = FileWriter.VaultId(file);
        var rows = file.Rows("SELECT version, value_type, nonce, cipher, tag FROM secret_versions WHERE secret_id = $a0", secretId.ToByteArray());
        int opened = 0;
        foreach (var row in rows)
        {
            var box = new SealedBox((byte[])row[2]!, (byte[])row[3]!, (byte[])row[4]!);
            var aad = VaultEngine.ValueAad(vaultId, secretId, (int)(long)row[0]!, (SecretValueType)(long)row[1]!);
            var plain = new byte[box.Ciphertext.Length];
            if (Aead.TryOpen(dataKey, box, aad, plain)) opened++;
        }
        return (opened, rows.Count);
    }

    private static Memory.SecureBuffer Unwrap(RawVaultFile file, Guid vaultId, Guid principalId, string principal, byte[] password,
        object?[] wrapped, WrapContext context, string what)
    {
        var slot = file.Rows("SELECT keyslot_id, kdf, verifier, nonce, sealed, tag FROM keyslots WHERE principal_id = $a0 AND kind = $a1",
            principalId.ToByteArray(), PasswordKeyslot.Kind).First();
        var keyslot = new KeyslotRecord(new Guid((byte[])slot[0]!), principalId, PasswordKeyslot.Kind, (byte[])slot[1]!, (byte[])slot[2]!,
            new SealedBox((byte[])slot[3]!, (byte[])slot[4]!, (byte[])slot[5]!), 0);
        using var scalars = PasswordKeyslot.Open(vaultId, keyslot, password, principal);
        var ecdhPublic = FileWriter.EcdhPublic(file, principalId);
        var senderPublic = (byte[])wrapped[3]!;
        using var own = EcKeys.ImportEcdhPrivate(scalars.ReadOnlySpan[..EcKeys.PrivateKeySize], ecdhPublic, "own key");
        using var sender = EcKeys.ImportEcdhPublic(senderPublic, "sender");
        using var pair = KeyWrap.PairKey(own, sender, senderPublic, ecdhPublic);
        return KeyWrap.Unwrap(pair.ReadOnlySpan, new SealedBox((byte[])wrapped[0]!, (byte[])wrapped[1]!, (byte[])wrapped[2]!), context, what);
    }
}
