// Key names inside audit records: AES-256-GCM under the metadata cipher key (the key that already
// seals each key's metadata), AAD = "SecureVault v1 audit name" | vault id | secret id, stored as
// base64(nonce 12 | ciphertext | tag 16). A stolen file reveals no name; a principal can still
// name a key after it was removed. The AAD ties a sealed name to its key id: it cannot be moved
// to another record's target undetected.
using System.Text;
using SecureVault.Crypto;

namespace SecureVault.Audit;

/// <summary>Seals and opens the key names carried by audit records.</summary>
internal static class AuditTargetNames
{
    private static readonly byte[] Label = "SecureVault v1 audit name"u8.ToArray();

    public static string Seal(VaultKeys keys, Guid vaultId, Guid secretId, string name)
    {
        var box = Aead.Seal(keys.MetadataCipherKey, Encoding.UTF8.GetBytes(name), Aad(vaultId, secretId));
        var bytes = new byte[box.Nonce.Length + box.Ciphertext.Length + box.Tag.Length];
        box.Nonce.CopyTo(bytes, 0);
        box.Ciphertext.CopyTo(bytes, box.Nonce.Length);
        box.Tag.CopyTo(bytes, box.Nonce.Length + box.Ciphertext.Length);
        return Convert.ToBase64String(bytes);
    }

    /// <summary>The name, or null when the sealed text is not a valid name for this key.</summary>
    public static string? Open(VaultKeys keys, Guid vaultId, Guid secretId, string sealedName)
    {
        var bytes = new byte[sealedName.Length]; // base64 decodes to fewer bytes than characters
        if (!Convert.TryFromBase64String(sealedName, bytes, out int length) || length < Aead.NonceSize + Aead.TagSize) return null;
        var box = new SealedBox(bytes[..Aead.NonceSize], bytes[Aead.NonceSize..(length - Aead.TagSize)], bytes[(length - Aead.TagSize)..length]);
        var plaintext = new byte[box.Ciphertext.Length];
        return Aead.TryOpen(keys.MetadataCipherKey, box, Aad(vaultId, secretId), plaintext) ? Encoding.UTF8.GetString(plaintext) : null;
    }

    private static byte[] Aad(Guid vaultId, Guid secretId) => Aead.Context(Label, vaultId, secretId);
}
