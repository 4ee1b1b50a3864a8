using SecureVault.Crypto;
using SecureVault.Sessions;
using SecureVault.Storage;

namespace SecureVault.Audit;

/// <summary>
/// Opens the key names sealed in audit records with the session's metadata key and, for records
/// written before a rekey, with the older keys the chain of metadata keys leads back to (derived
/// on first need, zeroized on dispose).
/// </summary>
internal sealed class AuditNameOpener(VaultSession session, IReadOnlyList<MetadataKeyLinkRecord> links) : IDisposable
{
    private List<VaultKeys>? _older;

    public string? Open(Guid keyId, string sealedName)
    {
        if (AuditTargetNames.Open(session.Keys, session.VaultId, keyId, sealedName) is { } name) return name;
        if (links.Count == 0) return null;
        _older ??= MetadataKeyChain.Older(session.Keys, links, session.VaultId);
        foreach (var keys in _older)
            if (AuditTargetNames.Open(keys, session.VaultId, keyId, sealedName) is { } older) return older;
        return null;
    }

    public void Dispose()
    {
        if (_older is null) return;
        foreach (var keys in _older) keys.Dispose();
    }
}
