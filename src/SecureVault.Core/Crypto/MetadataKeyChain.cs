// The chain of metadata keys across rekeys. Generation g's link is the previous metadata key
// (32 bytes) sealed with AES-256-GCM under generation g's metadata cipher key, AAD =
// "SecureVault v1 metadata key link" | vault id | generation (u32 LE). Whoever holds the current
// key reaches every older one (to open audit target names sealed before a rekey, and to check a
// keyslot's commitment made before it); whoever holds only an older key learns nothing newer.
// A keyslot commits to the metadata key of its time; only the principal's own credential could
// reseal it, so after a rekey the commitment is checked against the key the chain leads back to.
using System.Buffers.Binary;
using SecureVault.Memory;
using SecureVault.Storage;

namespace SecureVault.Crypto;

/// <summary>Seals and walks the links between successive metadata keys.</summary>
internal static class MetadataKeyChain
{
    private static readonly byte[] Label = "SecureVault v1 metadata key link"u8.ToArray();

    /// <summary>The link of <paramref name="generation"/>: <paramref name="previous"/> sealed under <paramref name="newer"/>.</summary>
    public static MetadataKeyLinkRecord Link(VaultKeys newer, VaultKeys previous, Guid vaultId, int generation, long nowMs) =>
        new(generation, Aead.Seal(newer.MetadataCipherKey, previous.MetadataKey, Aad(vaultId, generation)), nowMs);

    /// <summary>
    /// The keys of every older generation, newest first, reached from <paramref name="current"/>
    /// (which must be the key of the newest link). The caller disposes them. Refuses a chain with a
    /// missing generation or a link that does not open.
    /// </summary>
    public static List<VaultKeys> Older(VaultKeys current, IReadOnlyList<MetadataKeyLinkRecord> links, Guid vaultId)
    {
        var result = new List<VaultKeys>();
        try
        {
            var newer = current;
            for (int i = links.Count - 1; i >= 0; i--)
            {
                var link = links[i];
                if (link.Generation != i + 1) throw new VaultIntegrityException("the chain of metadata keys has a missing generation");
                var key = Aead.Open(newer.MetadataCipherKey, link.Sealed, Aad(vaultId, link.Generation), $"the metadata key link of generation {link.Generation}", 32);
                if (key.Length != 32)
                {
                    key.Dispose();
                    throw new VaultIntegrityException($"the metadata key link of generation {link.Generation} has the wrong length");
                }
                newer = new VaultKeys(key, vaultId);
                result.Add(newer);
            }
            return result;
        }
        catch
        {
            foreach (var keys in result) keys.Dispose();
            throw;
        }
    }

    private static byte[] Aad(Guid vaultId, int generation)
    {
        var aad = new byte[Label.Length + 16 + 4];
        Label.CopyTo(aad, 0);
        vaultId.TryWriteBytes(aad.AsSpan(Label.Length));
        BinaryPrimitives.WriteInt32LittleEndian(aad.AsSpan(Label.Length + 16), generation);
        return aad;
    }
}
