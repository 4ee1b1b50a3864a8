using System.Security.Cryptography;
using SecureVault.Access;
using SecureVault.Audit;
using SecureVault.Crypto;
using SecureVault.Memory;
using SecureVault.Rotation;
using SecureVault.Sessions;
using SecureVault.Storage;

namespace SecureVault;

/// <summary>
/// Rekeying the vault (ARCHITECTURE.md section 3): every data key rotated, then a new metadata key
/// under which every metadata record is sealed or MAC'd again. After it, someone who kept an old
/// metadata key or old data keys (a removed principal, a leaked backup of keys) can open nothing
/// written afterwards.
/// </summary>
public sealed partial class VaultEngine
{
    public const int MaxRekeyBatchSize = 10_000;

    /// <summary>
    /// Rekeys the vault: rotates every key's data key (in transactions of <paramref name="batchSize"/>
    /// keys, so an interrupted run leaves a readable vault and the next run goes on where it
    /// stopped), then replaces the metadata key and re-encrypts every metadata record under it in
    /// one transaction. Admins only (rekey). Other sessions must unlock again afterwards.
    /// </summary>
    public VaultRekeyResult RekeyVault(Action<RotationProgressInfo>? progress = null, int batchSize = 100,
        CancellationToken cancellation = default)
    {
        if (batchSize is < 1 or > MaxRekeyBatchSize) throw new VaultInvalidInputException($"The batch size must be between 1 and {MaxRekeyBatchSize:N0}.");
        return WithSession(session =>
        {
            long senderId = SenderOf(session, out var senderPublic);
            // Started (or resumed) in an audited transaction of its own: the cursor row is what a rerun continues from.
            var (resumed, total) = AuditedWrite(session, AuditAction.Rekey, (w, facts) =>
            {
                Require(w, session, Permissions.Rekey);
                var earlier = w.RekeyProgress();
                if (earlier is null) w.SetRekeyProgress(new RekeyProgressRecord(NowMs(), session.PrincipalId, null, 0));
                facts.Detail = earlier is null ? "started" : $"resumed after {earlier.Done} data keys";
                return (earlier != null, (int)w.CountSecrets());
            });
            int rotated = RotateDataKeysInBatches(session, batchSize, total, senderId, senderPublic, progress, cancellation);
            cancellation.ThrowIfCancellationRequested();
            progress?.Invoke(new RotationProgressInfo(total, total, "Re-encrypting metadata under a new metadata key", null));
            var (generation, records) = ReplaceMetadataKey(session, senderId, senderPublic);
            return new VaultRekeyResult { DataKeysRotated = rotated, MetadataRecords = records, Generation = generation, Resumed = resumed, Vault = Vault };
        });
    }

    /// <summary>
    /// Phase 1: walks the keys in id order from the stored cursor, rotating each key's data key
    /// (every kept version re-encrypted, rewrapped to its holders). Each batch commits with its
    /// audit record and the new cursor, so a killed process loses at most the batch under way.
    /// Keys created meanwhile behind the cursor were born with fresh data keys.
    /// </summary>
    private int RotateDataKeysInBatches(VaultSession session, int batchSize, int total, long senderId, byte[] senderPublic,
        Action<RotationProgressInfo>? progress, CancellationToken cancellation)
    {
        int rotated = 0;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            var (count, done, more) = AuditedWrite(session, AuditAction.Rekey, (w, facts) =>
            {
                Require(w, session, Permissions.Rekey);
                var state = w.RekeyProgress() ?? throw new VaultConcurrencyException(Vault);
                var ids = w.SecretIdsAfter(state.Cursor, batchSize);
                foreach (var id in ids)
                {
                    var key = w.FindSecret(id) ?? throw new VaultIntegrityException("a key vanished inside its own transaction");
                    RotateNow(w, session, key, OpenMetadata(session, key), senderId, senderPublic);
                }
                int doneNow = state.Done + ids.Count;
                w.SetRekeyProgress(state with { Cursor = ids.Count > 0 ? ids[^1] : state.Cursor, Done = doneNow });
                facts.Count = ids.Count;
                facts.Detail = $"data keys rotated: {doneNow}";
                // Looked ahead here, so a key count that is a multiple of the batch size needs no empty batch.
                return (ids.Count, doneNow, ids.Count == batchSize && w.SecretIdsAfter(ids[^1], 1).Count > 0);
            });
            rotated += count;
            progress?.Invoke(new RotationProgressInfo(done, Math.Max(total, done), "Rotating data keys", null));
            if (!more) return rotated;
        }
    }

    /// <summary>
    /// Phase 2, one transaction: a new metadata key; every key's metadata sealed again (and its
    /// blind index recomputed), every principal row, grant and audit signer MAC'd again, the
    /// header MAC'd again, the rotation settings sealed again, the new key wrapped to every
    /// principal, and the old key sealed under the new one as the next link of the chain. The
    /// session then works with the new keys; other sessions find their copy outdated.
    /// </summary>
    private (int Generation, int Records) ReplaceMetadataKey(VaultSession session, long senderId, byte[] senderPublic)
    {
        var newKey = new SecureBuffer(32);
        RandomNumberGenerator.Fill(newKey.Span);
        var newKeys = new VaultKeys(newKey, session.VaultId);
        var facts = new AuditFacts(AuditAction.Rekey);
        var old = session.Keys;
        try
        {
            var result = _store.Write(w =>
            {
                Require(w, session, Permissions.Rekey);
                if (w.RekeyProgress() is null) throw new VaultConcurrencyException(Vault);
                int records = 0;
                byte[] ownCopy = [];
                foreach (var key in w.Secrets().ToList())
                {
                    var metadata = OpenMetadata(session, key);
                    w.UpsertSecret(key with { NameIndex = newKeys.NameIndex(metadata.Name), Metadata = metadata.Seal(newKeys.MetadataCipherKey, session.VaultId, key.Id) });
                    records++;
                }
                foreach (var principal in w.Principals())
                {
                    CheckPrincipalMac(old, principal);
                    var mac = newKeys.PrincipalMac(principal.Id, principal.Role, principal.CreatedMs, principal.EcdhPublic, principal.EcdsaPublic, principal.Name, principal.Disabled);
                    var pairKey = session.PairKey(senderId, principal.Id, () => (senderPublic, principal.EcdhPublic));
                    var wrapped = KeyWrap.Wrap(pairKey, newKeys.MetadataKey, new WrapContext(WrapPurpose.MetadataKey, session.VaultId, session.VaultId, principal.Id));
                    w.UpdatePrincipalMetadataKey(principal.Id, senderId, wrapped, mac);
                    if (principal.Id == session.PrincipalId) ownCopy = wrapped.Nonce;
                    records++;
                }
                foreach (var grant in w.Grants())
                {
                    CheckGrantMac(old, grant);
                    w.UpsertGrant(grant with { Mac = newKeys.GrantMac(grant.SecretId, grant.PrincipalId, grant.Permissions, grant.ExpiresMs, grant.CreatedMs, grant.GrantedBy) });
                    records++;
                }
                foreach (var signer in w.AuditSigners())
                {
                    // A signer row that is not genuine keeps its (wrong) MAC: re-MACing would launder it.
                    if (!AuditChain.IsGenuine(signer, old)) continue;
                    w.UpdateAuditSignerMac(signer.Id, newKeys.SignerMac(signer.PrincipalId, signer.ValidFromSeq, signer.ValidUntilSeq, signer.PublicKey));
                    records++;
                }
                foreach (var kind in new[] { SealedSettingKinds.RotationPolicy, SealedSettingKinds.RotationExemption })
                {
                    foreach (var setting in w.SealedSettings(kind))
                    {
                        w.UpsertSealedSetting(RotationSettings.Reseal(old, newKeys, session.VaultId, setting));
                        records++;
                    }
                }
                var header = w.ReadHeader();
                if (!SecureText.FixedTimeEquals(old.HeaderMac(CanonicalHeader(header)), header.HeaderMac))
                    throw new VaultIntegrityException("the vault header does not match its MAC");
                w.UpdateHeaderMac(newKeys.HeaderMac(CanonicalHeader(header)));
                int generation = (w.MetadataKeyLinks().LastOrDefault()?.Generation ?? 0) + 1;
                w.InsertMetadataKeyLink(MetadataKeyChain.Link(newKeys, old, session.VaultId, generation, NowMs()));
                w.SetRekeyProgress(null);
                facts.Count = records;
                facts.Detail = $"metadata key generation {generation}";
                // Signed by the acting principal; its signer row was MAC'd again above, under the new key.
                AuditTrail.Append(w, session.VaultId, session.PrincipalId, session.SigningKey, newKeys, facts, AuditOutcome.Success, null, NowMs());
                return (generation, records, ownCopy);
            });
            session.ReplaceKeys(newKeys, result.ownCopy);
            AfterCommit(facts);
            // The old wrapped metadata keys must not linger in the journal (best effort, as after a password change).
            _store.Checkpoint();
            return (result.generation, result.records);
        }
        catch (VaultException e) when (IsAuditedRefusal(e))
        {
            newKeys.Dispose();
            AuditRefusal(session, facts, e);
            throw;
        }
        catch
        {
            newKeys.Dispose();
            throw;
        }
    }
}
