using System.Security.Cryptography;
using SecureVault.Storage;

namespace SecureVault.Audit;

/// <summary>
/// Compares rows with what the audit log says was written last. A row restored from an older
/// genuine copy of itself passes every cryptographic check (the same data key and metadata key
/// seal every version); the signed log still knows the newest version written, the last
/// removal, and the keyslot a password change left. Records pruned away or written before the
/// audit trail leave nothing to compare with, and the check is then skipped.
/// </summary>
internal static class AuditCrossCheck
{
    /// <summary>Refuses a key's row that is older than its newest recorded write (set, rotate or restore), or that was recorded as removed.</summary>
    public static void CheckKeyRow(IVaultReader reader, SecretRecord row, string name)
    {
        var lastSet = AuditAction.VersionWrites.Select(action => NewestSuccess(reader.AuditRowsFor(row.Id, action), row.Id))
            .Where(entry => entry != null).MaxBy(entry => entry!.Seq);
        if (lastSet?.Version is { } written && written != row.CurrentVersion)
            throw new VaultIntegrityException(
                $"key '{name}' is at version {row.CurrentVersion}, but the audit log records version {written} as written last: its row was rolled back to an older copy");
        var lastRemove = NewestSuccess(reader.AuditRowsFor(row.Id, AuditAction.Remove), row.Id);
        if (lastRemove != null && (lastSet is null || lastRemove.Seq > lastSet.Seq))
            throw new VaultIntegrityException($"key '{name}' was removed (audit record {lastRemove.Seq}) and its row has come back from an older copy");
    }

    /// <summary>
    /// Refuses a keyslot that the log records as removed (put back from an older copy, it would let
    /// a password alone unlock again after -RequireBoth), and a password keyslot that is older than
    /// the last password change recorded for it.
    /// </summary>
    public static void CheckKeyslot(IVaultReader reader, Guid principalId, KeyslotRecord keyslot)
    {
        var id = keyslot.Id.ToString("N");
        foreach (var row in reader.AuditRowsOf(AuditAction.KeyslotRemove).Concat(reader.AuditRowsOf(AuditAction.KeyslotAdd)))
        {
            var entry = ParseOrThrow(row);
            if (entry.Outcome != AuditOutcome.Success) continue;
            bool removed = entry.Action == AuditAction.KeyslotRemove
                ? entry.Keyslot?.StartsWith(id + ".", StringComparison.Ordinal) == true
                : entry.Detail?.Contains(" removed ", StringComparison.Ordinal) == true && entry.Detail.Contains(id, StringComparison.Ordinal);
            if (removed)
                throw new VaultIntegrityException($"the keyslot used was removed (audit record {entry.Seq}) and has come back from an older copy");
        }
        // The newest sealing recorded for the keyslot: a password change or a renewal after a rekey.
        foreach (var row in reader.AuditRowsOf(AuditAction.Password).Concat(reader.AuditRowsOf(AuditAction.KeyslotRenew)).OrderByDescending(r => r.Seq))
        {
            var entry = ParseOrThrow(row);
            if (entry.Actor != principalId || entry.Outcome != AuditOutcome.Success || entry.Keyslot is null) continue;
            if (!entry.Keyslot.StartsWith(keyslot.Id.ToString("N") + ".", StringComparison.Ordinal)) continue;
            if (entry.Keyslot != KeyslotFingerprint(keyslot.Id, keyslot.Kdf))
                throw new VaultIntegrityException(
                    $"the keyslot is not the one the last password change or renewal (audit record {entry.Seq}) left: it was restored from an older copy");
            return;
        }
    }

    /// <summary>Names a keyslot's sealed state: its id and the first 16 bytes of SHA-256 over its KDF blob (which holds the fresh salt of each sealing).</summary>
    public static string KeyslotFingerprint(Guid keyslotId, byte[] kdf) =>
        keyslotId.ToString("N") + "." + Convert.ToHexString(SHA256.HashData(kdf).AsSpan(0, 16)).ToLowerInvariant();

    private static AuditEntry? NewestSuccess(IEnumerable<AuditRow> rows, Guid target)
    {
        foreach (var row in rows)
        {
            var entry = ParseOrThrow(row);
            if (entry.Target == target && entry.Outcome == AuditOutcome.Success) return entry;
        }
        return null;
    }

    private static AuditEntry ParseOrThrow(AuditRow row)
    {
        try
        {
            return AuditEntry.Parse(row.Record);
        }
        catch (AuditFormatException e)
        {
            throw new VaultIntegrityException($"audit record {row.Seq} is damaged ({e.Message}); run Test-VaultAuditChain");
        }
    }
}
