using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using SecureVault.Crypto;
using SecureVault.Storage;

namespace SecureVault.Audit;

/// <summary>
/// Appends records to a vault's audit chain inside the caller's write transaction, so an
/// operation and its record commit together or not at all (fail closed).
/// </summary>
internal static class AuditTrail
{
    private static readonly string HostName = Environment.MachineName;
    private static readonly int ProcessId = Environment.ProcessId;
    private static readonly string ProcessName = CurrentProcessName();

    /// <summary>
    /// Per vault id, the link after the newest record this process signed or checked (it covers
    /// the record's hash and signature): signing on top of it needs no new check.
    /// </summary>
    private static readonly ConcurrentDictionary<Guid, byte[]> TrustedHeads = new();

    /// <summary>
    /// Writes the record of <paramref name="facts"/> as the next in the chain, signed by
    /// <paramref name="signer"/> (null only for a failed authentication). <paramref name="keys"/>
    /// seal the key name; without them (failed authentication) no name is recorded.
    /// </summary>
    public static AuditRow Append(IVaultWriter writer, Guid vaultId, Guid? actor, ECDsa? signer, VaultKeys? keys,
        AuditFacts facts, string outcome, string? reason, long nowMs)
    {
        var last = writer.LastAuditRow();
        var (seq, link) = Next(writer, vaultId, last);
        if (signer != null)
            facts.HeadBroken = BrokenHead(writer, vaultId, keys ?? throw new InvalidOperationException("a signed audit record needs the vault keys"), last, link);
        var entry = new AuditEntry
        {
            Seq = seq,
            TimeMs = nowMs,
            Actor = actor,
            Action = facts.Action,
            Target = facts.Target,
            TargetName = facts.Target is { } id && facts.TargetName is { } name && keys != null ? AuditTargetNames.Seal(keys, vaultId, id, name) : null,
            Version = facts.Version,
            Count = facts.Count,
            Through = facts.Through,
            ThroughHash = facts.ThroughHash,
            Detail = facts.Detail,
            Keyslot = facts.Keyslot,
            HeadBroken = facts.HeadBroken,
            Outcome = outcome,
            Reason = reason ?? facts.Reason,
            Host = HostName,
            Pid = ProcessId,
            Process = ProcessName,
        };
        if (signer is null && !AuditChain.MayBeUnsigned(entry))
            throw new InvalidOperationException($"an audit record of '{entry.Action}' must be signed");
        var record = entry.ToCanonicalJson();
        var hash = AuditChain.Hash(link, record);
        var row = new AuditRow(seq, nowMs, entry.Action, record, hash, signer is null ? null : AuditChain.Sign(signer, hash), entry.Target);
        writer.InsertAuditRow(row);
        facts.Wrote(row, entry);
        // If the transaction rolls back, the next append finds another head and checks again.
        if (row.Signature != null) TrustedHeads[vaultId] = AuditChain.Link(hash, row.Signature);
        return row;
    }

    /// <summary>The next sequence number and the link it chains to: after the newest record, the pruning base, or genesis.</summary>
    public static (long Seq, byte[] Link) Next(IVaultReader reader, Guid vaultId) => Next(reader, vaultId, reader.LastAuditRow());

    private static (long Seq, byte[] Link) Next(IVaultReader reader, Guid vaultId, AuditRow? last)
    {
        if (last != null) return (last.Seq + 1, AuditChain.Link(last.Hash, last.Signature ?? []));
        if (reader.AuditBase() is { } auditBase) return (auditBase.Seq + 1, auditBase.Link);
        return (1, AuditChain.Genesis(vaultId));
    }

    /// <summary>
    /// The sequence number of the newest signed record when it no longer matches its signature
    /// (the log was rewritten outside the engine), else null.
    /// </summary>
    /// <remarks>
    /// The verifier checks only the newest signature of each signing key on a chain whose hashes
    /// are consistent (AuditVerifier). That is sound only if nothing is signed over a rewritten
    /// history unnoticed: whoever can write the file can change any record and recompute every
    /// later hash, leaving only stale signatures, and a record signed on top of that (the owner's
    /// next unlock) would make the rewrite verify. A rewrite that keeps the hashes consistent must
    /// reach the head, so checking the newest signed record before signing is enough. When it
    /// fails, the new record says so (<see cref="AuditEntry.HeadBroken"/>): the vault stays usable
    /// and diagnosable, the verifier checks every signature and names the rewritten record, and an
    /// alert is raised. One ECDSA verification, only when the head is not the one this process
    /// last signed or checked. Unsigned records after it (failed authentications) are vouched for
    /// by the new record, as designed; a newest record with no known signer or a damaged one is
    /// left for the verifier, which names it without this help.
    /// </remarks>
    private static long? BrokenHead(IVaultReader reader, Guid vaultId, VaultKeys keys, AuditRow? last, byte[] linkAfterLast)
    {
        if (last is null) return null;
        if (TrustedHeads.TryGetValue(vaultId, out var trusted) && CryptographicOperations.FixedTimeEquals(trusted, linkAfterLast)) return null;
        var newest = reader.AuditRows(newestFirst: true).FirstOrDefault(r => r.Signature != null);
        if (newest != null)
        {
            using var key = SigningKeyOf(reader, keys, newest);
            if (key != null && !AuditChain.Verify(key, newest.Hash, newest.Signature)) return newest.Seq;
        }
        TrustedHeads[vaultId] = linkAfterLast;
        return null;
    }

    /// <summary>The genuine signing key of a record's actor valid for it, or null (unknown signer, damaged record).</summary>
    private static ECDsa? SigningKeyOf(IVaultReader reader, VaultKeys keys, AuditRow row)
    {
        Guid? actor;
        try
        {
            actor = AuditEntry.Parse(row.Record).Actor;
        }
        catch (AuditFormatException)
        {
            return null;
        }
        foreach (var signer in reader.AuditSigners())
        {
            if (signer.PrincipalId == actor && AuditChain.Covers(signer, row.Seq) && AuditChain.ImportGenuine(signer, keys) is { } key) return key;
        }
        return null;
    }

    /// <summary>
    /// Registers a principal's signing public key from the next record on, unless it is already
    /// registered and open. Vaults created before the audit trail get their keys this way at unlock.
    /// </summary>
    public static void EnsureSigner(IVaultWriter writer, Guid vaultId, VaultKeys keys, Guid principalId, byte[] publicKey)
    {
        foreach (var signer in writer.AuditSigners())
        {
            // Only a genuine row counts: an altered one must not stop the real key from being registered.
            if (signer.PrincipalId == principalId && signer.ValidUntilSeq is null && signer.PublicKey.AsSpan().SequenceEqual(publicKey)
                && AuditChain.IsGenuine(signer, keys)) return;
        }
        long from = Next(writer, vaultId).Seq;
        writer.InsertAuditSigner(new AuditSignerRecord(0, principalId, publicKey, from, null, keys.SignerMac(principalId, from, null, publicKey)));
    }

    private static string CurrentProcessName()
    {
        using var process = Process.GetCurrentProcess();
        return process.ProcessName;
    }
}
