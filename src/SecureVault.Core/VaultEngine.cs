using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SecureVault.Access;
using SecureVault.Audit;
using SecureVault.Crypto;
using SecureVault.Identity;
using SecureVault.Memory;
using SecureVault.Rotation;
using SecureVault.Sessions;
using SecureVault.Storage;
using SecureVault.Values;

namespace SecureVault;

/// <summary>
/// The one entry point of the engine: the cmdlets, the SecretManagement extension and the CLI
/// all call this. Each public operation checks the session, validates input before touching
/// anything, and runs as one store transaction.
/// </summary>
public sealed partial class VaultEngine
{
    public const int FormatVersion = 1;
    public const string Magic = "SecureVault";
    /// <summary>How many versions a key keeps unless its rotation policy says otherwise (the default policy's VersionsKept).</summary>
    public const int DefaultVersionsKept = 10;
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(900);
    public static readonly TimeSpan MinIdleTimeout = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxIdleTimeout = TimeSpan.FromDays(7);

    private static readonly ConcurrentDictionary<string, IVaultStore> SharedStores = new();
    private static readonly byte[] ValueLabel = "SecureVault v1 value"u8.ToArray();
    private static readonly byte[] DataKeyCheckLabel = "SecureVault v1 data key check"u8.ToArray();
    private static readonly byte[] MetadataKeyCheckLabel = "SecureVault v1 metadata key check"u8.ToArray();
    private const int ScalarsSize = 2 * EcKeys.PrivateKeySize;
    private static readonly IReadOnlyDictionary<string, object> EmptyFields = new Dictionary<string, object>();
    private readonly IVaultStore _store;
    private readonly IClock _clock;

    /// <summary>An engine over any store (the PostgreSQL store and tests use this).</summary>
    public VaultEngine(IVaultStore store, IClock? clock = null)
    {
        // Every row any store returns is checked against what was asked for before the engine uses it.
        _store = CheckedVaultStore.Around(store);
        _clock = clock ?? SystemClock.Instance;
    }

    /// <summary>The engine for the embedded vault named or located by <paramref name="vault"/> (null: the default).</summary>
    public static VaultEngine Open(string? vault = null, IClock? clock = null)
    {
        var path = VaultLocation.Resolve(vault);
        return new VaultEngine(SharedStores.GetOrAdd(path, p => new SqliteVaultStore(p)), clock);
    }

    /// <summary>Where this vault is.</summary>
    public string Vault => _store.Location;

    /// <summary>True when a vault exists at this location.</summary>
    public bool Exists => _store.Exists();

    /// <summary>True when this process holds an unlocked session for this vault.</summary>
    public bool IsUnlocked => SessionRegistry.Find(Vault) != null;

    #region Create, unlock, lock

    /// <summary>
    /// Creates a vault with one principal (the owner, an Admin) and a password keyslot, and
    /// leaves it unlocked for the creator.
    /// </summary>
    public void Create(ReadOnlySpan<byte> password, string? principal = null, KdfParameters? kdf = null, TimeSpan? idleTimeout = null)
    {
        // Every check runs before the file is created: bad input leaves nothing behind.
        var principalName = PrincipalNames.Validate(principal ?? PrincipalNames.Default);
        var parameters = (kdf ?? KdfParameters.Default).Validated();
        var timeout = CheckTimeout(idleTimeout);
        PasswordRules.CheckNew(password);
        if (_store.Exists()) throw new VaultAlreadyExistsException(Vault);

        long now = NowMs();
        var vaultId = Guid.NewGuid();
        var principalId = Guid.NewGuid();
        var (scalars, ecdhPublic, ecdsaPublic) = EcKeys.NewPrincipalKeys();
        var metadataKey = new SecureBuffer(32);
        RandomNumberGenerator.Fill(metadataKey.Span);
        var keys = new VaultKeys(metadataKey, vaultId);
        var keyslotPayload = KeyslotPayload(scalars.ReadOnlySpan, keys.MetadataKey, vaultId, principalId);
        try
        {
            var keyslot = PasswordKeyslot.Seal(vaultId, Guid.NewGuid(), principalId, password, parameters, keyslotPayload.ReadOnlySpan, now);
            var header = new HeaderRecord(Magic, FormatVersion, vaultId, now, []);
            header = header with { HeaderMac = keys.HeaderMac(CanonicalHeader(header)) };

            // The owner's copy of the metadata key is wrapped by a one-time sender key (plain ECDH-ES).
            using var sender = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
            var senderPublic = EcKeys.EncodePublic(sender.ExportParameters(false).Q);
            using var ownerPublic = EcKeys.ImportEcdhPublic(ecdhPublic, "the owner's public key");
            using var pairKey = KeyWrap.PairKey(sender, ownerPublic, senderPublic, ecdhPublic);
            var wrappedMetadataKey = KeyWrap.Wrap(pairKey.ReadOnlySpan, keys.MetadataKey,
                new WrapContext(WrapPurpose.MetadataKey, vaultId, vaultId, principalId));

            // The store builds the vault aside and puts it in place only complete: a failure leaves nothing.
            var createRecord = _store.Initialize(w =>
            {
                w.InsertHeader(header);
                long senderId = w.InsertSenderKey(principalId, senderPublic, now);
                var mac = keys.PrincipalMac(principalId, (int)Role.Admin, now, ecdhPublic, ecdsaPublic, principalName);
                w.InsertPrincipal(new PrincipalRecord(principalId, principalName, (int)Role.Admin, ecdhPublic, ecdsaPublic, now, senderId, wrappedMetadataKey, mac));
                w.UpsertKeyslot(keyslot);
                // The chain starts in the same transaction: no vault exists without its first record.
                AuditTrail.EnsureSigner(w, vaultId, keys, principalId, ecdsaPublic);
                using var signing = EcKeys.ImportEcdsaPrivate(scalars.ReadOnlySpan[EcKeys.PrivateKeySize..ScalarsSize], ecdsaPublic, "the owner's signing key");
                return AuditTrail.Append(w, vaultId, principalId, signing, keys, new AuditFacts(AuditAction.Create), AuditOutcome.Success, null, now);
            });
            var principalRecord = _store.Read(r => r.FindPrincipal(principalId))!;
            SessionRegistry.Add(NewSession(header, principalRecord, scalars, keys, timeout));
            keys = null; // the session owns them now
            // A memory that cannot be written only weakens the rollback check; the next unlock says so.
            _ = AuditHeadMemory.Remember(vaultId, createRecord.Seq, createRecord.Hash);
        }
        finally
        {
            scalars.Dispose();
            keyslotPayload.Dispose();
            keys?.Dispose();
        }
    }

    /// <summary>
    /// Authenticates <paramref name="principal"/> (null: the only principal, or the OS user name)
    /// with a password and opens the process-wide session. With MFA on, <paramref name="totp"/> is
    /// the current one-time code; with <paramref name="certificate"/>, the principal's
    /// password-and-certificate keyslot is opened instead (the certificate stands in for the code).
    /// Every attempt is audited; a failed one unsigned (there is no key to sign with), covered by the
    /// next signed record. The result carries warnings, such as a vault that has gone backwards
    /// since this profile last saw it.
    /// </summary>
    public UnlockResult Unlock(ReadOnlySpan<byte> password, string? principal = null, TimeSpan? idleTimeout = null, string? totp = null,
        X509Certificate2? certificate = null) =>
        UnlockWith(new Credential(password, UsesPassword: true, certificate), principal, idleTimeout, totp);

    /// <summary>
    /// Unlocks with a certificate and its private key, without a password: for scheduled tasks.
    /// <paramref name="principal"/> null: the principal the certificate was enrolled for.
    /// </summary>
    public UnlockResult UnlockWithCertificate(X509Certificate2 certificate, string? principal = null, TimeSpan? idleTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return UnlockWith(new Credential([], UsesPassword: false, certificate), principal, idleTimeout, totp: null);
    }

    private UnlockResult UnlockWith(Credential credential, string? principal, TimeSpan? idleTimeout, string? totp)
    {
        var timeout = CheckTimeout(idleTimeout);
        var certificate = credential.Certificate;
        var (header, record, keyslots, anyKeyslot, links) = _store.Read(r =>
        {
            var h = r.ReadHeader();
            var p = principal is not null ? r.FindPrincipal(PrincipalNames.Normalize(principal))
                : certificate is not null ? CertificateHolder(r, certificate) : DefaultPrincipal(r);
            var slots = p is null ? [] : r.Keyslots(p.Id);
            var model = r.Principals().SelectMany(x => r.Keyslots(x.Id)).FirstOrDefault(k => k.Kind == KeyslotKinds.Password);
            return (h, p, slots, model, r.MetadataKeyLinks());
        });
        CheckHeaderShape(header);
        var facts = new AuditFacts(AuditAction.Unlock);
        var name = principal ?? record?.Name ?? (certificate is null ? PrincipalNames.Default : "certificate " + certificate.Thumbprint);
        var attempt = new AuthenticationAttempt(LockoutKey(header.VaultId, name, record));
        SecureBuffer? scalars = null;
        VaultSession? session;
        KeyslotRecord? renewed = null, openedSlot = null;
        bool proven = false;
        try
        {
            // The lookup column is not covered by the principal MAC; the MAC-covered name must agree with it.
            if (record != null && principal != null && PrincipalNames.Normalize(record.Name) != PrincipalNames.Normalize(principal))
                throw new VaultIntegrityException($"the principal row found for '{principal}' carries another name");
            scalars = Authenticate(header, record, keyslots, anyKeyslot, credential, name, attempt, out var opened);
            proven = true;
            session = OpenSession(header, record, links, scalars, timeout);
            try
            {
                // Told only after the credential proved itself (and the row's MAC), so it reveals nothing to a guesser.
                if (record.Disabled) throw new VaultPrincipalDisabledException(name) { Target = name };
                // A certificate is itself the second factor (something held); the one-time code guards password-only unlocks.
                if (certificate is null) CheckSecondFactor(header, record, scalars, totp, name);
                if (!CommitsTo(session.Keys, header.VaultId, record.Id, scalars.ReadOnlySpan[ScalarsSize..]))
                {
                    openedSlot = opened;
                    renewed = RenewKeyslotCommitment(header.VaultId, record.Id, opened, credential, scalars, session.Keys);
                }
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }
        catch (VaultException e) when (IsAuditedRefusal(e))
        {
            // The credential proved itself but something else refused (no one-time code given, a disabled principal): no guess to count.
            if (proven && e is not VaultAuthenticationException) UncountAttempt(attempt);
            AuditUnsigned(header.VaultId, record?.Id, attempt, facts, e);
            throw;
        }
        finally
        {
            scalars?.Dispose();
        }

        try
        {
            var warnings = new List<string>();
            var row = _store.Write(w =>
            {
                AuditTrail.EnsureSigner(w, header.VaultId, session.Keys, session.PrincipalId, record.EcdsaPublic);
                ClearLockout(w, record.Id);
                // Renewed only over the keyslot that was opened: a password change or a removal that
                // committed meanwhile must not be undone by writing back a keyslot sealed with the old credential.
                if (renewed != null && w.Keyslots(record.Id).FirstOrDefault(k => k.Id == renewed.Id) is { } stored && SameSealing(stored, openedSlot!))
                {
                    w.UpsertKeyslot(renewed);
                    AppendRecord(w, session, new AuditFacts(AuditAction.KeyslotRenew)
                    {
                        Keyslot = AuditCrossCheck.KeyslotFingerprint(renewed.Id, renewed.Kdf),
                        Detail = KeyslotKinds.Describe(renewed.Kind) + ": commitment moved to the current metadata key",
                    }, AuditOutcome.Success);
                }
                var behind = AuditHeadMemory.CheckNotBehind(header.VaultId, w.LastAuditRow()?.Seq, seq => w.AuditRowAt(seq)?.Hash);
                if (behind != null)
                {
                    facts.Reason = Checking.AuditExpectations.RolledBackNotice;
                    warnings.Add($"The vault '{Vault}' has gone backwards: {behind}. Check it against a head exported earlier (Test-VaultAuditChain -Anchor, or 'securevault audit verify --anchor').");
                }
                return AppendRecord(w, session, facts, AuditOutcome.Success);
            });
            if (facts.HeadBroken is { } broken)
                warnings.Add($"The audit log of '{Vault}' was changed outside SecureVault: record {broken} no longer matches its signature. See which records with Test-VaultAuditChain -Detailed (or 'securevault audit verify'), and restore the vault from a backup.");
            SessionRegistry.Add(session);
            // After a rollback warning the memory follows the vault, so the warning is given once per profile.
            if (AuditHeadMemory.Remember(header.VaultId, row.Seq, row.Hash, force: facts.Reason != null) is { } memoryProblem)
                warnings.Add($"The rollback check is weaker: {memoryProblem}.");
            AfterCommit(facts);
            return new UnlockResult { Warnings = warnings };
        }
        catch
        {
            // Fail closed: no audit record, no session.
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Proves a password: counts the attempt, or refuses a locked-out principal (or name), before any key derivation (<see cref="CountAttempt"/>), spends
    /// the same work on an unknown principal as on a real one, tries each of the principal's password
    /// keyslots, and refuses a keyslot older than the last password change the audit log records.
    /// Returns the private scalars (the caller disposes them) and the keyslot that opened.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)] // RotationRaceTests finds this frame on the stack
    private SecureBuffer Authenticate(HeaderRecord header, [System.Diagnostics.CodeAnalysis.NotNull] PrincipalRecord? record, IReadOnlyList<KeyslotRecord> keyslots,
        KeyslotRecord? anyKeyslot, Credential credential, string name, AuthenticationAttempt attempt, out KeyslotRecord opened)
    {
        CountAttempt(attempt, name);
        var certificate = credential.Certificate;
        int kind = certificate is null ? KeyslotKinds.Password : credential.UsesPassword ? KeyslotKinds.PasswordAndCertificate : KeyslotKinds.Certificate;
        var candidates = keyslots.Where(k => k.Kind == kind && (certificate is null || KeyslotMatches(k, certificate))).ToList();
        if (record is null || candidates.Count == 0)
        {
            if (credential.UsesPassword && anyKeyslot != null) PasswordKeyslot.SpendEquivalentWork(anyKeyslot, credential.Password);
            string? hint = record != null && certificate is null && keyslots.Any(k => k.Kind == KeyslotKinds.PasswordAndCertificate)
                ? "This principal unlocks with its password and its certificate together: give -Certificate as well." : null;
            throw new VaultAuthenticationException(name, hint) { Target = name };
        }
        SecureBuffer? scalars = null;
        opened = candidates[^1];
        foreach (var keyslot in candidates)
        {
            try
            {
                // The caller's spelling of the name, so a wrong password and an unknown principal read alike.
                scalars = OpenKeyslot(header.VaultId, keyslot, credential, name);
                opened = keyslot;
                break;
            }
            catch (VaultAuthenticationException) when (keyslot != candidates[^1])
            {
                // Another keyslot of this principal may match.
            }
        }
        try
        {
            var checkedSlot = opened;
            _store.Read(r => { AuditCrossCheck.CheckKeyslot(r, record.Id, checkedSlot); return 0; });
            return scalars!;
        }
        catch
        {
            scalars!.Dispose();
            throw;
        }
    }

    /// <summary>What a caller proves itself with: a password, a certificate with its private key, or both.</summary>
    private readonly ref struct Credential(ReadOnlySpan<byte> password, bool UsesPassword, X509Certificate2? certificate)
    {
        public ReadOnlySpan<byte> Password { get; } = password;
        public bool UsesPassword { get; } = UsesPassword;
        public X509Certificate2? Certificate { get; } = certificate;
    }

    private static SecureBuffer OpenKeyslot(Guid vaultId, KeyslotRecord keyslot, Credential credential, string name) => keyslot.Kind switch
    {
        KeyslotKinds.Password => PasswordKeyslot.Open(vaultId, keyslot, credential.Password, name),
        KeyslotKinds.Certificate => CertificateKeyslot.Open(vaultId, keyslot, credential.Certificate!, name),
        KeyslotKinds.PasswordAndCertificate => PasswordCertificateKeyslot.Open(vaultId, keyslot, credential.Password, credential.Certificate!, name),
        _ => throw new VaultIntegrityException($"a keyslot of principal '{name}' has an unknown kind"),
    };

    private static bool KeyslotMatches(KeyslotRecord keyslot, X509Certificate2 certificate) => keyslot.Kind switch
    {
        KeyslotKinds.Certificate => CertificateKeyslot.Matches(keyslot, certificate),
        KeyslotKinds.PasswordAndCertificate => PasswordCertificateKeyslot.Matches(keyslot, certificate),
        _ => false,
    };

    /// <summary>The principal a certificate was enrolled for (alone or with a password), or null.</summary>
    private static PrincipalRecord? CertificateHolder(IVaultReader reader, X509Certificate2 certificate) =>
        reader.Principals().FirstOrDefault(p => reader.Keyslots(p.Id).Any(k => KeyslotMatches(k, certificate)));

    /// <summary>Builds the session of an authenticated principal from its private scalars.</summary>
    private VaultSession OpenSession(HeaderRecord header, PrincipalRecord record, IReadOnlyList<MetadataKeyLinkRecord> links, SecureBuffer scalars, TimeSpan timeout)
    {
        var keys = OpenVerifiedKeys(header, record, links, scalars);
        try
        {
            return NewSession(header, record, scalars, keys, timeout);
        }
        catch
        {
            keys.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the metadata key with the principal's private scalars and checks it against what
    /// vouches for it. Throws an integrity error on any mismatch.
    /// </summary>
    private VaultKeys OpenVerifiedKeys(HeaderRecord header, PrincipalRecord record, IReadOnlyList<MetadataKeyLinkRecord> links, SecureBuffer scalars)
    {
        var keys = OpenMetadataKey(header, record, scalars);
        try
        {
            // The keyslot (sealed by the password) vouches for the metadata key; the metadata key
            // vouches for the header and for the principal row.
            CheckMetadataKeyCommitment(header, record, keys, links, scalars.ReadOnlySpan[ScalarsSize..]);
            if (!SecureText.FixedTimeEquals(keys.HeaderMac(CanonicalHeader(header)), header.HeaderMac))
                throw new VaultIntegrityException("the vault header does not match its MAC");
            CheckPrincipalMac(keys, record);
            return keys;
        }
        catch
        {
            keys.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks the keyslot's commitment against the metadata key: the current one, or after rekeys
    /// the one of the keyslot's time, reached back through the chain of metadata keys (only the
    /// principal's own credential can reseal a keyslot, so a rekey leaves the commitments as they were).
    /// </summary>
    /// <remarks><paramref name="links"/> come from the same read as the header and the principal row, so a rekey committing meanwhile cannot mix two generations.</remarks>
    private static void CheckMetadataKeyCommitment(HeaderRecord header, PrincipalRecord record, VaultKeys keys, IReadOnlyList<MetadataKeyLinkRecord> links, ReadOnlySpan<byte> commitment)
    {
        if (CommitsTo(keys, header.VaultId, record.Id, commitment)) return;
        if (links.Count > 0)
        {
            var older = MetadataKeyChain.Older(keys, links, header.VaultId);
            try
            {
                foreach (var old in older)
                    if (CommitsTo(old, header.VaultId, record.Id, commitment)) return;
            }
            finally
            {
                foreach (var old in older) old.Dispose();
            }
        }
        throw new VaultIntegrityException("the metadata key wrapped to this principal is not the key this vault committed to");
    }

    /// <summary>
    /// After a rekey, seals the keyslot just opened again with the same credential, committing to
    /// the current metadata key: from then on the chain of older keys is no longer needed for this
    /// keyslot, so nobody who kept an older key can steer it to a substitute. Null when the
    /// credential cannot seal a keyslot now (a certificate outside its validity): the chain still vouches.
    /// </summary>
    private KeyslotRecord? RenewKeyslotCommitment(Guid vaultId, Guid principalId, KeyslotRecord opened, Credential credential, SecureBuffer scalars, VaultKeys keys)
    {
        using var payload = KeyslotPayload(scalars.ReadOnlySpan[..ScalarsSize], keys.MetadataKey, vaultId, principalId);
        try
        {
            return opened.Kind switch
            {
                KeyslotKinds.Password => PasswordKeyslot.Seal(vaultId, opened.Id, principalId, credential.Password,
                    KdfParameters.Decode(opened.Kdf).Parameters, payload.ReadOnlySpan, NowMs()),
                KeyslotKinds.Certificate => CertificateKeyslot.Seal(vaultId, opened.Id, principalId, credential.Certificate!, payload.ReadOnlySpan, NowMs()),
                KeyslotKinds.PasswordAndCertificate => PasswordCertificateKeyslot.Seal(vaultId, opened.Id, principalId, credential.Password,
                    KdfParameters.Decode(PasswordCertificateKeyslot.DecodeFactors(opened.Kdf).StoredKdf).Parameters, credential.Certificate!, payload.ReadOnlySpan, NowMs()),
                _ => null,
            };
        }
        catch (VaultInvalidInputException)
        {
            return null;
        }
    }

    /// <summary>True when two keyslot rows hold the same sealing (same salt and parameters, verifier and sealed bytes).</summary>
    private static bool SameSealing(KeyslotRecord a, KeyslotRecord b) =>
        SecureText.FixedTimeEquals(a.Kdf, b.Kdf) && SecureText.FixedTimeEquals(a.Verifier, b.Verifier)
        && SecureText.FixedTimeEquals(a.Sealed.Ciphertext, b.Sealed.Ciphertext) && SecureText.FixedTimeEquals(a.Sealed.Tag, b.Sealed.Tag);

    private static bool CommitsTo(VaultKeys keys, Guid vaultId, Guid principalId, ReadOnlySpan<byte> commitment) =>
        KeyCommitment.Matches(keys.MetadataKey, MetadataKeyCheckLabel, vaultId, principalId, commitment);

    /// <summary>
    /// Locks this vault now: its lock is audited, every key of its session is zeroized, and idle
    /// store connections are closed (so the file can be moved or deleted, which Windows refuses
    /// while it is open). False when it was not unlocked. The vault is locked even when the
    /// record cannot be written; that failure is then thrown.
    /// </summary>
    public bool Lock()
    {
        VaultException? auditFailure = null;
        if (SessionRegistry.Find(Vault) is { } session)
        {
            try
            {
                session.Use(s =>
                {
                    var row = _store.Write(w => AppendRecord(w, s, new AuditFacts(AuditAction.Lock), AuditOutcome.Success));
                    _ = AuditHeadMemory.Remember(s.VaultId, row.Seq, row.Hash); // best effort: checked again at the next unlock
                    return 0;
                });
            }
            catch (VaultLockedException)
            {
                // It expired in the meantime: nothing left to lock or record.
            }
            catch (VaultNotFoundException)
            {
                // The vault's file is gone (deleted or moved while unlocked): there is nowhere to record
                // the lock, and the keys are zeroized below all the same.
            }
            catch (VaultException e)
            {
                auditFailure = e;
            }
        }
        bool wasUnlocked = SessionRegistry.Close(Vault);
        _store.ReleaseIdleConnections();
        if (auditFailure != null) throw auditFailure;
        return wasUnlocked;
    }

    /// <summary>Locks every vault unlocked in this process; returns how many were.</summary>
    public static int LockAll()
    {
        int count = 0;
        VaultException? firstFailure = null;
        foreach (var path in SessionRegistry.OpenVaults)
        {
            try
            {
                // Vaults opened by path share their store: lock them through it so the lock is audited.
                if (SharedStores.TryGetValue(path, out var store) ? new VaultEngine(store).Lock() : SessionRegistry.Close(path)) count++;
            }
            catch (VaultException e)
            {
                // Lock() has locked it anyway; lock the rest before reporting the first failure.
                count++;
                firstFailure ??= e;
            }
        }
        foreach (var store in SharedStores.Values) store.ReleaseIdleConnections();
        if (firstFailure != null) throw firstFailure;
        return count;
    }

    /// <summary>
    /// Whose failures count: the principal's id, or for a name no principal has, an id derived from
    /// the vault and the normalized name, so that unknown names are locked out exactly like real
    /// ones and the lockout does not tell which names exist.
    /// </summary>
    private static Guid LockoutKey(Guid vaultId, string name, PrincipalRecord? record)
    {
        if (record != null) return record.Id;
        var input = Encoding.UTF8.GetBytes("SecureVault v1 unknown principal\0" + vaultId.ToString("N") + "\0" + PrincipalNames.Normalize(name));
        return new Guid(SHA256.HashData(input).AsSpan(0, 16));
    }

    /// <summary>A successful authentication ends the run of failures (and the doubling of lockouts).</summary>
    private static void ClearLockout(IVaultWriter writer, Guid principalId)
    {
        if (!writer.Lockout(principalId).IsClear) writer.SetLockout(principalId, LockoutState.Clear);
    }

    private static PrincipalRecord? DefaultPrincipal(IVaultReader reader)
    {
        var all = reader.Principals();
        if (all.Count == 1) return all[0];
        return reader.FindPrincipal(PrincipalNames.Normalize(PrincipalNames.Default));
    }

    private VaultKeys OpenMetadataKey(HeaderRecord header, PrincipalRecord principal, SecureBuffer scalars)
    {
        using var ecdh = EcKeys.ImportEcdhPrivate(scalars.ReadOnlySpan[..EcKeys.PrivateKeySize], principal.EcdhPublic, "the principal's key-agreement key");
        var senderPublic = _store.Read(r => r.SenderPublicKey(principal.MetadataKeySender))
            ?? throw new VaultIntegrityException("the sender key of the principal's metadata key is missing");
        using var peer = EcKeys.ImportEcdhPublic(senderPublic, "a sender public key");
        using var pairKey = KeyWrap.PairKey(ecdh, peer, senderPublic, principal.EcdhPublic);
        var metadataKey = KeyWrap.Unwrap(pairKey.ReadOnlySpan, principal.WrappedMetadataKey,
            new WrapContext(WrapPurpose.MetadataKey, header.VaultId, header.VaultId, principal.Id), "the principal's metadata key");
        return new VaultKeys(metadataKey, header.VaultId);
    }

    private VaultSession NewSession(HeaderRecord header, PrincipalRecord principal, SecureBuffer scalars, VaultKeys keys, TimeSpan timeout)
    {
        var ecdh = EcKeys.ImportEcdhPrivate(scalars.ReadOnlySpan[..EcKeys.PrivateKeySize], principal.EcdhPublic, "the principal's key-agreement key");
        // Importing the signing key checks that the stored public key still matches it.
        var signing = EcKeys.ImportEcdsaPrivate(scalars.ReadOnlySpan[EcKeys.PrivateKeySize..ScalarsSize], principal.EcdsaPublic, "the principal's signing key");
        return new VaultSession(Vault, header.VaultId, principal.Id, principal.Name, (Role)principal.Role,
            principal.EcdhPublic, ecdh, signing, keys, timeout, _clock).WithMetadataKeyCopy(principal.WrappedMetadataKey.Nonce);
    }

    #endregion

    #region Keys

    /// <summary>
    /// Writes a new version of a key (creating the key on first write) and keeps as many versions as
    /// its rotation policy says (<see cref="DefaultVersionsKept"/> by default). Returns the key's metadata after the write.
    /// </summary>
    public VaultKeyInfo SetKey(string name, SecretValue value, KeyUpdate? update = null)
    {
        KeyNames.Validate(name);
        ArgumentNullException.ThrowIfNull(value);
        var change = MetadataChange.From(update ?? new KeyUpdate());
        using var plaintext = SecretCodec.Encode(value);

        return WithSession(session =>
        {
            var index = session.Keys.NameIndex(name);
            // The session's sender key is stored once, in its own committed transaction, so that no
            // rolled-back write can leave a wrapped key pointing at a sender id that was never kept.
            long senderId = session.SenderKey(pub => _store.Write(w => w.InsertSenderKey(session.PrincipalId, pub, NowMs())), out var senderPublic);
            return AuditedWrite(session, AuditAction.Set, (w, facts) =>
                {
                    var existing = w.FindSecret(index);
                    KeyMetadata metadata;
                    SecureBuffer dataKey;
                    if (existing is null)
                    {
                        Require(w, session, Permissions.Create);
                        metadata = new KeyMetadata { Name = name, Owner = session.PrincipalId, CreatedMs = NowMs() };
                        dataKey = new SecureBuffer(32);
                        RandomNumberGenerator.Fill(dataKey.Span);
                        existing = new SecretRecord(Guid.NewGuid(), index, 0, default);
                        metadata.DataKeyCheck = KeyCommitment.Compute(dataKey.ReadOnlySpan, DataKeyCheckLabel, session.VaultId, existing.Id);
                        WrapToReaders(w, session, existing.Id, dataKey, senderId, senderPublic);
                    }
                    else
                    {
                        facts.SetTarget(existing.Id, name);
                        metadata = OpenMetadata(session, existing, name);
                        RequireOnKey(w, session, existing, metadata, KeyPermissions.Write, facts);
                        AuditCrossCheck.CheckKeyRow(w, existing, name);
                        dataKey = DataKeyForWrite(w, session, existing, metadata, senderId, senderPublic);
                    }
                    change.ApplyTo(metadata);
                    using (dataKey)
                        return AppendVersion(w, session, existing, metadata, dataKey, plaintext.ReadOnlySpan, value.Type, facts);
                });
        });
    }

    /// <summary>
    /// The data key to write a new version under: the key's own, or a new one when access was
    /// revoked since the last write (rotated first). The caller disposes it.
    /// </summary>
    private SecureBuffer DataKeyForWrite(IVaultWriter writer, VaultSession session, SecretRecord key, KeyMetadata metadata, long senderId, byte[] senderPublic)
    {
        var dataKey = UnwrapDataKey(writer, session, key.Id, writer.WrappedKey(key.Id, session.PrincipalId), metadata);
        if (metadata.RotatePending != true) return dataKey;
        using var oldKey = dataKey;
        return RotateDataKey(writer, session, key, metadata, oldKey, senderId, senderPublic);
    }

    /// <summary>
    /// Writes <paramref name="plaintext"/> as the key's next version (recording when and by whom in
    /// its history), keeps the last versions its policy asks for, and returns the key's metadata.
    /// </summary>
    private VaultKeyInfo AppendVersion(IVaultWriter writer, VaultSession session, SecretRecord key, KeyMetadata metadata, SecureBuffer dataKey,
        ReadOnlySpan<byte> plaintext, SecretValueType type, AuditFacts facts)
    {
        long now = NowMs();
        int keep = RotationSchedule.Effective(DefaultRotationPolicy(writer, session), metadata.Policy).VersionsKept;
        metadata.Version = key.CurrentVersion + 1;
        facts.SetTarget(key.Id, metadata.Name);
        facts.Version = metadata.Version;
        metadata.Type = type;
        metadata.UpdatedMs = now;
        metadata.Versions = [.. metadata.Versions, metadata.Version];
        metadata.History = [.. metadata.History ?? [], new KeyVersionEntry { Version = metadata.Version, WrittenMs = now, WrittenBy = session.PrincipalId }];
        TrimVersions(metadata, keep);
        var box = Aead.Seal(dataKey.ReadOnlySpan, plaintext, ValueAad(session.VaultId, key.Id, metadata.Version, type));
        writer.InsertVersion(new VersionRecord(key.Id, metadata.Version, (int)type, box, now));
        writer.UpsertSecret(new SecretRecord(key.Id, key.NameIndex, metadata.Version, metadata.Seal(session.Keys.MetadataCipherKey, session.VaultId, key.Id)));
        writer.PruneVersions(key.Id, keep);
        return ToInfo(metadata, key.Id);
    }

    /// <summary>Changes a key's metadata (tags, service, description, fields) without writing a new version.</summary>
    public VaultKeyInfo UpdateKeyInfo(string name, KeyUpdate update)
    {
        KeyNames.Validate(name);
        var change = MetadataChange.From(update);
        return WithSession(session => AuditedWrite(session, AuditAction.Update, (w, facts) =>
        {
            var record = w.FindSecret(session.Keys.NameIndex(name)) ?? throw KeyNotFoundOrLost(name);
            facts.SetTarget(record.Id, name);
            var metadata = OpenMetadata(session, record, name);
            RequireOnKey(w, session, record, metadata, KeyPermissions.Write, facts);
            AuditCrossCheck.CheckKeyRow(w, record, name);
            change.ApplyTo(metadata);
            metadata.Touch(NowMs());
            w.UpsertSecret(record with { Metadata = metadata.Seal(session.Keys.MetadataCipherKey, session.VaultId, record.Id) });
            return ToInfo(metadata, record.Id);
        }));
    }

    /// <summary>
    /// Reads a key's value (the current version, or <paramref name="version"/>). The caller disposes
    /// it. A key past its rotation grace is refused (<see cref="VaultKeyExpiredException"/>); one in
    /// its warning or grace period is read and <paramref name="warn"/> is told.
    /// </summary>
    public SecretValue GetKey(string name, int? version = null, Action<VaultRotationWarning>? warn = null)
    {
        KeyNames.Validate(name);
        if (version is < 1) throw new VaultInvalidInputException("A version number starts at 1.");
        var read = WithSession(session => ReadKey(session, name, version, KeyPermissions.Read, enforcePolicy: true));
        // Told after the read committed: the warning never stands in for the value.
        try
        {
            if (read.Warning != null) warn?.Invoke(read.Warning);
        }
        catch
        {
            read.Dispose(); // the caller never gets the value: clear it now, not at finalization
            throw;
        }
        return read.Value;
    }

    /// <summary>A value read, with the rotation warning its read gave (if any).</summary>
    private sealed class KeyRead(SecretValue value, VaultRotationWarning? warning, int version, Guid keyId) : IDisposable
    {
        public SecretValue Value { get; } = value;
        public VaultRotationWarning? Warning { get; } = warning;
        public int Version { get; } = version;
        public Guid KeyId { get; } = keyId;
        public void Dispose() => Value.Dispose();
    }

    /// <summary>
    /// Reads a value as one audited transaction (no record, no value). With <paramref name="enforcePolicy"/>
    /// a Blocked key and a version past its grace are refused; a rotation reads without them (it is
    /// what unblocks the key).
    /// </summary>
    private KeyRead ReadKey(VaultSession session, string name, int? version, KeyPermissions needed, bool enforcePolicy)
    {
        var index = session.Keys.NameIndex(name);
        return AuditedWrite(session, AuditAction.Get, (r, facts) =>
        {
            var record = r.ReadValue(index, session.PrincipalId, version) ?? throw KeyNotFoundOrLost(name);
            facts.SetTarget(record.Secret.Id, name);
            facts.Version = version ?? record.Secret.CurrentVersion;
            var metadata = OpenMetadata(session, record.Secret, name);
            RequireOnKey(r, session, record.Secret, metadata, needed, facts);
            AuditCrossCheck.CheckKeyRow(r, record.Secret, name);
            if (record.Version is null)
            {
                if (version is { } asked) throw VersionNotFoundOrLost(metadata, asked, name);
                throw new VaultIntegrityException($"the current version of key '{metadata.Name}' is missing");
            }
            VaultRotationWarning? warning = null;
            if (enforcePolicy)
            {
                var now = _clock.UtcNow;
                var schedule = RotationSchedule.Of(metadata, record.Secret.Id, DefaultRotationPolicy(r, session), StoredExemptions(r, session), now);
                if (schedule.State == RotationState.Blocked)
                    throw new VaultKeyExpiredException(metadata.Name, schedule.Due, schedule.BlockedFrom) { Target = name };
                if (version is { } asked && asked != metadata.Version && schedule.State != RotationState.Exempt)
                    CheckVersionReadable(metadata, asked, schedule.Policy, now);
                warning = RotationSchedule.ReadWarning(metadata.Name, schedule, now);
            }
            using var dataKey = UnwrapDataKey(r, session, record.Secret.Id, record.Key, metadata);
            // The version asked for (or the sealed current one) is what the AAD binds, whatever the row says.
            int wanted = version ?? metadata.Version;
            using var plaintext = OpenVersion(session, dataKey, record.Version, record.Secret.Id, wanted, metadata.Name, out var type);
            return new KeyRead(SecretCodec.Decode(type, plaintext.ReadOnlySpan), warning, wanted, record.Secret.Id);
        });
    }

    /// <summary>
    /// Decrypts one stored version (its type checked first, as its AAD binds it). The AAD binds the
    /// key and version asked for (<paramref name="secretId"/>, <paramref name="wanted"/>), never the
    /// ones the row carries: a row of another version cannot open as this one. The caller disposes the plaintext.
    /// </summary>
    private static SecureBuffer OpenVersion(VaultSession session, SecureBuffer dataKey, VersionRecord version, Guid secretId, int wanted, string keyName, out SecretValueType type)
    {
        if (version.SecretId != secretId || version.Version != wanted)
            throw new VaultIntegrityException($"the row read for key '{keyName}' version {wanted} belongs to another version");
        if (version.ValueType is < 1 or > byte.MaxValue || !Enum.IsDefined((SecretValueType)version.ValueType))
            throw new VaultIntegrityException($"a version of key '{keyName}' has an unknown value type");
        type = (SecretValueType)version.ValueType;
        return Aead.Open(dataKey.ReadOnlySpan, version.Value, ValueAad(session.VaultId, secretId, wanted, type),
            $"the value of key '{keyName}' version {wanted}", SecretCodec.MaxValueBytes);
    }

    /// <summary>The metadata of one key, by exact name.</summary>
    public VaultKeyInfo GetKeyInfo(string name)
    {
        KeyNames.Validate(name);
        return WithSession(session => AuditedWrite(session, AuditAction.Info, (r, facts) =>
        {
            Require(r, session, Permissions.List);
            var record = r.FindSecret(session.Keys.NameIndex(name)) ?? throw KeyNotFoundOrLost(name);
            facts.SetTarget(record.Id, name);
            var metadata = OpenMetadata(session, record, name);
            AuditCrossCheck.CheckKeyRow(r, record, name);
            return ToInfo(metadata, record.Id);
        }));
    }

    /// <summary>
    /// The metadata of every key that matches <paramref name="filter"/>, sorted by name. A name
    /// without wildcards is found through the blind index (no scan).
    /// </summary>
    public IReadOnlyList<VaultKeyInfo> ListKeys(KeyFilter? filter = null, CancellationToken cancellation = default)
    {
        filter ??= KeyFilter.All;
        var namePattern = string.IsNullOrEmpty(filter.Name) || filter.Name == "*" ? null : filter.Name;
        var nameMatch = namePattern != null && Wildcard.HasWildcards(namePattern) ? new Wildcard(namePattern) : null;
        var serviceMatch = string.IsNullOrEmpty(filter.Service) ? null : new Wildcard(filter.Service);
        var tags = filter.Tags is { Length: > 0 } ? filter.Tags : null;

        return WithSession(session => AuditedRead(session, AuditAction.List, (r, facts) =>
        {
            cancellation.ThrowIfCancellationRequested();
            Require(r, session, Permissions.List);
            string? exact = namePattern != null && nameMatch is null ? Wildcard.Unescape(namePattern) : null;
            // Streamed, not materialized: listing 100k keys holds only the results. (Opening the
            // metadata on both cores was measured: no gain on 2 cores, 90 MiB more peak memory.)
            IEnumerable<SecretRecord> candidates = exact is null ? r.Secrets()
                : exact.Length is > 0 and <= KeyNames.MaxNameLength && r.FindSecret(session.Keys.NameIndex(exact)) is { } one ? [one] : [];
            var result = new List<VaultKeyInfo>();
            int seen = 0;
            foreach (var record in candidates)
            {
                if ((++seen & 1023) == 0) cancellation.ThrowIfCancellationRequested();
                var metadata = OpenMetadata(session, record, exact);
                if (nameMatch != null && !nameMatch.IsMatch(metadata.Name)) continue;
                if (serviceMatch != null && (metadata.Service is null || !serviceMatch.IsMatch(metadata.Service))) continue;
                if (tags != null && !tags.All(t => metadata.Tags.Contains(t, StringComparer.OrdinalIgnoreCase))) continue;
                result.Add(ToInfo(metadata, record.Id));
            }
            result.Sort((a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.Name, b.Name));
            facts.Count = result.Count;
            return (IReadOnlyList<VaultKeyInfo>)result;
        }));
    }

    /// <summary>Removes a key with every version. Returns its metadata as it was.</summary>
    public VaultKeyInfo RemoveKey(string name)
    {
        KeyNames.Validate(name);
        return WithSession(session => AuditedWrite(session, AuditAction.Remove, (w, facts) =>
        {
            var record = w.FindSecret(session.Keys.NameIndex(name)) ?? throw KeyNotFoundOrLost(name);
            facts.SetTarget(record.Id, name);
            var metadata = OpenMetadata(session, record, name);
            RequireOnKey(w, session, record, metadata, KeyPermissions.Delete, facts);
            var info = ToInfo(metadata, record.Id);
            w.DeleteSecret(record.Id);
            return info;
        }));
    }

    #endregion

    #region Password and status

    /// <summary>
    /// Re-seals the principal's password keyslot under a new password (O(1): no secret is
    /// re-encrypted). <paramref name="principal"/> null: the unlocked principal, else the default one.
    /// </summary>
    public void ChangePassword(ReadOnlySpan<byte> currentPassword, ReadOnlySpan<byte> newPassword, string? principal = null)
    {
        principal ??= SessionRegistry.Find(Vault)?.PrincipalName;
        var (header, record, keyslots, anyKeyslot, mfaOn, links) = _store.Read(r =>
        {
            var p = principal is null ? DefaultPrincipal(r) : r.FindPrincipal(PrincipalNames.Normalize(principal));
            var model = r.Principals().SelectMany(x => r.Keyslots(x.Id)).FirstOrDefault(k => k.Kind == KeyslotKinds.Password);
            return (r.ReadHeader(), p, p is null ? [] : r.Keyslots(p.Id), model, p != null && r.Mfa(p.Id)?.Confirmed == true, r.MetadataKeyLinks());
        });
        // With a second factor on, 8 characters are enough (NIST 800-63B); either way before any key derivation.
        PasswordRules.CheckNew(newPassword, secondFactor: mfaOn);
        CheckHeaderShape(header);
        var name = principal ?? record?.Name ?? PrincipalNames.Default;
        var facts = new AuditFacts(AuditAction.Password);
        var attempt = new AuthenticationAttempt(LockoutKey(header.VaultId, name, record));
        SecureBuffer scalars;
        KeyslotRecord keyslot;
        try
        {
            scalars = Authenticate(header, record, keyslots, anyKeyslot, new Credential(currentPassword, UsesPassword: true, null), name, attempt, out keyslot);
        }
        catch (VaultException e) when (IsAuditedRefusal(e))
        {
            AuditUnsigned(header.VaultId, record?.Id, attempt, facts, e);
            throw;
        }
        using (scalars)
        {
            using var keys = OpenVerifiedKeys(header, record, links, scalars);
            if (record.Disabled) throw new VaultPrincipalDisabledException(name) { Target = name };
            using (var signing = EcKeys.ImportEcdsaPrivate(scalars.ReadOnlySpan[EcKeys.PrivateKeySize..ScalarsSize], record.EcdsaPublic, "the principal's signing key"))
            {
                // A new password always follows the current rule (checked and NFC-normalized), whatever the old keyslot's version.
                var kdf = KdfParameters.Decode(keyslot.Kdf).Parameters with { PasswordNormalized = true };
                // Committed to the current metadata key, whatever key the old keyslot committed to (a rekey may lie between).
                using var payload = KeyslotPayload(scalars.ReadOnlySpan[..ScalarsSize], keys.MetadataKey, header.VaultId, record.Id);
                var resealed = PasswordKeyslot.Seal(header.VaultId, keyslot.Id, record.Id, newPassword, kdf, payload.ReadOnlySpan, NowMs());
                facts.Keyslot = AuditCrossCheck.KeyslotFingerprint(resealed.Id, resealed.Kdf);
                _store.Write(w =>
                {
                    w.UpsertKeyslot(resealed);
                    ClearLockout(w, record.Id);
                    AuditTrail.EnsureSigner(w, header.VaultId, keys, record.Id, record.EcdsaPublic);
                    return AuditTrail.Append(w, header.VaultId, record.Id, signing, keys, facts, AuditOutcome.Success, null, NowMs());
                });
                AfterCommit(facts);
            }
        }
        // The old keyslot must not linger in the journal, where the old password would still open it.
        _store.Checkpoint();
    }

    /// <summary>The vault's state as seen from this process. Works while locked.</summary>
    public VaultStatus GetStatus()
    {
        var session = SessionRegistry.Find(Vault);
        var (header, count, keyslot, auditRecords, auditHead, policy) = _store.Read(r =>
        {
            var principalId = session?.PrincipalId ?? r.Principals().FirstOrDefault()?.Id;
            var slot = principalId is null ? null : r.Keyslots(principalId.Value).FirstOrDefault(k => k.Kind == PasswordKeyslot.Kind);
            return (r.ReadHeader(), r.CountSecrets(), slot, r.CountAuditRows(), r.LastAuditRow()?.Seq, PolicyOf(r));
        });
        var memory = MemoryLocking.Status;
        TimeSpan? left = session is null ? null : session.ExpiresAt - _clock.UtcNow;
        return new VaultStatus
        {
            Vault = Vault,
            Store = _store.Kind,
            IsLocked = session is null,
            Principal = session?.PrincipalName,
            Role = session?.Role.ToString(),
            TimeLeft = left is { } l && l < TimeSpan.Zero ? TimeSpan.Zero : left,
            IdleTimeout = session?.IdleTimeout,
            FormatVersion = header.FormatVersion,
            Kdf = keyslot is null ? "none" : KdfParameters.Decode(keyslot.Kdf).Parameters.ToString(),
            KeyCount = count,
            MemoryLocked = memory.IsLocked,
            MemoryLockDetail = memory.Detail,
            AuditRecords = auditRecords,
            AuditHead = auditHead,
            AlertForwarding = policy.AlertForwarding,
            AlertForwardingProblem = ForwardingProblem,
        };
    }

    #endregion

    #region Helpers

    private T WithSession<T>(Func<VaultSession, T> work)
    {
        var session = SessionRegistry.Find(Vault);
        if (session is null)
        {
            // Say what is really wrong: a vault that does not exist cannot be unlocked either.
            if (!_store.Exists()) throw new VaultNotFoundException(Vault) { Target = Vault };
            throw new VaultLockedException(Vault) { Target = Vault };
        }
        return session.Use(work);
    }

    /// <summary>
    /// Opens a secret's sealed metadata. <paramref name="lookedUpName"/> is the name the row was
    /// found by (through the blind index), when it was found by name.
    /// </summary>
    private static KeyMetadata OpenMetadata(VaultSession session, SecretRecord record, string? lookedUpName = null)
    {
        var metadata = KeyMetadata.Open(session.Keys.MetadataCipherKey, record.Metadata, session.VaultId, record.Id);
        // The version counter lives in plaintext for the join; the sealed copy is authoritative.
        if (metadata.Version != record.CurrentVersion)
            throw new VaultIntegrityException($"the version counter of key '{metadata.Name}' does not match its sealed metadata");
        // The blind index column is not authenticated: a row filed under another key's index
        // (swapped indexes) must not answer for that key. The sealed name is authoritative.
        if (lookedUpName != null && !string.Equals(VaultKeys.NormalizeName(metadata.Name), VaultKeys.NormalizeName(lookedUpName), StringComparison.Ordinal))
            throw new VaultIntegrityException($"the stored row found for key '{lookedUpName}' belongs to another key");
        return metadata;
    }

    /// <summary>Unwraps a key's data key and checks it against the commitment in the sealed metadata.</summary>
    private static SecureBuffer UnwrapDataKey(IVaultReader reader, VaultSession session, Guid secretId, WrappedKeyRecord? wrapped, KeyMetadata metadata)
    {
        var name = metadata.Name;
        if (wrapped is null)
            throw new VaultAccessDeniedException("read", session.PrincipalName) { Target = name };
        var pairKey = session.PairKey(wrapped.SenderId, session.PrincipalId, () =>
            (reader.SenderPublicKey(wrapped.SenderId) ?? throw new VaultIntegrityException($"the sender key of key '{name}' is missing"), session.EcdhPublic));
        var dataKey = KeyWrap.Unwrap(pairKey, wrapped.Wrapped, new WrapContext(WrapPurpose.DataKey, session.VaultId, secretId, session.PrincipalId),
            $"the data key of key '{name}'");
        try
        {
            KeyCommitment.Verify(dataKey.ReadOnlySpan, DataKeyCheckLabel, session.VaultId, secretId, metadata.DataKeyCheck, $"the data key of key '{name}'");
            return dataKey;
        }
        catch
        {
            dataKey.Dispose();
            throw;
        }
    }

    /// <summary>Refuses a principal row that was planted or altered (role, name or public keys).</summary>
    private static void CheckPrincipalMac(VaultKeys keys, PrincipalRecord principal)
    {
        var expected = keys.PrincipalMac(principal.Id, principal.Role, principal.CreatedMs, principal.EcdhPublic, principal.EcdsaPublic, principal.Name, principal.Disabled);
        if (principal.Mac.Length != expected.Length || !SecureText.FixedTimeEquals(expected, principal.Mac))
            throw new VaultIntegrityException($"the record of principal '{principal.Name}' does not match its MAC");
    }

    /// <summary>Wraps a new key's data key to its owner and to every Admin.</summary>
    private static void WrapToReaders(IVaultWriter writer, VaultSession session, Guid secretId, SecureBuffer dataKey, long senderId, byte[] senderPublic)
    {
        foreach (var principal in writer.Principals())
        {
            if (principal.Id == session.PrincipalId || principal.Role == (int)Role.Admin)
                WrapTo(writer, session, secretId, dataKey, principal, senderId, senderPublic);
        }
    }

    /// <summary>AAD of a value: label | format version | vault id | secret id | version | value type.</summary>
    internal static byte[] ValueAad(Guid vaultId, Guid secretId, int version, SecretValueType type)
    {
        var aad = new byte[ValueLabel.Length + 1 + 32 + 4 + 1];
        ValueLabel.CopyTo(aad, 0);
        int offset = ValueLabel.Length;
        aad[offset++] = FormatVersion;
        vaultId.TryWriteBytes(aad.AsSpan(offset));
        secretId.TryWriteBytes(aad.AsSpan(offset + 16));
        BinaryPrimitives.WriteInt32LittleEndian(aad.AsSpan(offset + 32), version);
        aad[offset + 36] = (byte)type;
        return aad;
    }

    private static byte[] CanonicalHeader(HeaderRecord header)
    {
        var magic = Encoding.UTF8.GetBytes(header.Magic);
        var bytes = new byte[magic.Length + 4 + 16 + 8];
        magic.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(magic.Length), header.FormatVersion);
        header.VaultId.TryWriteBytes(bytes.AsSpan(magic.Length + 4));
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(magic.Length + 20), header.CreatedMs);
        return bytes;
    }

    private void CheckHeaderShape(HeaderRecord header)
    {
        if (header.Magic != Magic) throw new VaultIntegrityException($"'{Vault}' is not a SecureVault vault");
        if (header.FormatVersion != FormatVersion)
            throw new VaultIntegrityException($"the vault format version {header.FormatVersion} is not one this SecureVault reads ({FormatVersion})");
    }

    private VaultKeyInfo ToInfo(KeyMetadata metadata, Guid id) => new()
    {
        Name = metadata.Name,
        Type = metadata.Type,
        Version = metadata.Version,
        Versions = metadata.Versions,
        Tags = metadata.Tags,
        Service = metadata.Service,
        Description = metadata.Description,
        Fields = metadata.Fields is null ? EmptyFields : metadata.Fields.ToDictionary(f => f.Key, f => f.Value.ToObject(), StringComparer.OrdinalIgnoreCase),
        Created = DateTime.UnixEpoch.AddMilliseconds(metadata.CreatedMs),
        Updated = DateTime.UnixEpoch.AddMilliseconds(metadata.UpdatedMs),
        Vault = Vault,
        Id = id,
    };

    private static TimeSpan CheckTimeout(TimeSpan? timeout)
    {
        var value = timeout ?? DefaultIdleTimeout;
        // A floor of one second also catches a bare number, which PowerShell reads as ticks.
        if (value < MinIdleTimeout || value > MaxIdleTimeout)
            throw new VaultInvalidInputException($"The idle timeout must be between 1 second and {MaxIdleTimeout.TotalDays} days (for example '00:30:00').");
        return value;
    }

    private long NowMs() => _clock.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Closes the shared store of a path (its pooled connections), so its files can be replaced or deleted.</summary>
    internal static void ForgetStore(string path)
    {
        if (SharedStores.TryRemove(path, out var store)) store.Dispose();
    }

    #endregion
}
