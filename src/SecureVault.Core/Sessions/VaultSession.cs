using System.Collections.Concurrent;
using System.Security.Cryptography;
using SecureVault.Crypto;
using SecureVault.Identity;
using SecureVault.Memory;

namespace SecureVault.Sessions;

/// <summary>
/// The unwrapped keys of one principal on one vault, shared by every runspace and thread of the
/// process. Operations run inside <see cref="Use{T}"/>, which refuses an idle-expired or locked
/// session and keeps key material alive until the operation ends; <see cref="Dispose"/> waits for
/// running operations, then zeroizes everything.
/// </summary>
internal sealed class VaultSession : IDisposable
{
    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.SupportsRecursion);
    private readonly ConcurrentDictionary<(long Sender, Guid Principal), SecureBuffer> _pairKeys = new();
    private readonly ECDiffieHellman _ecdhPrivate;
    private readonly object _senderGate = new();
    private ECDiffieHellman? _senderKey;
    private byte[]? _senderPublic;
    private long _senderId;
    private long _lastUsedTicks;
    private bool _closed;
    private volatile bool _superseded;
    private volatile VaultKeys _keys;
    private readonly List<VaultKeys> _retiredKeys = [];

    public VaultSession(string vaultPath, Guid vaultId, Guid principalId, string principalName, Role role,
        byte[] ecdhPublic, ECDiffieHellman ecdhPrivate, ECDsa signingKey, VaultKeys keys,
        TimeSpan idleTimeout, IClock clock)
    {
        VaultPath = vaultPath;
        VaultId = vaultId;
        PrincipalId = principalId;
        PrincipalName = principalName;
        Role = role;
        EcdhPublic = ecdhPublic;
        _ecdhPrivate = ecdhPrivate;
        SigningKey = signingKey;
        _keys = keys;
        IdleTimeout = idleTimeout;
        Clock = clock;
        _lastUsedTicks = clock.UtcNow.UtcTicks;
    }

    public string VaultPath { get; }
    public Guid VaultId { get; }
    public Guid PrincipalId { get; }
    public string PrincipalName { get; }
    public Role Role { get; }
    public byte[] EcdhPublic { get; }
    /// <summary>The vault keys (metadata key and what derives from it); replaced when this session rekeys the vault.</summary>
    public VaultKeys Keys => _keys;

    /// <summary>
    /// The nonce of the principal's wrapped copy of the metadata key this session opened. Every
    /// wrap has a fresh nonce, so a different one in the principal's row means the vault was
    /// rekeyed by another session.
    /// </summary>
    public byte[] MetadataKeyCopy { get; private set; } = [];
    /// <summary>The principal's audit signing key (ECDSA P-256); records are signed inside write transactions.</summary>
    public ECDsa SigningKey { get; }
    public TimeSpan IdleTimeout { get; }
    public IClock Clock { get; }

    /// <summary>What the audit log says about key names, for the not-found path of reads (built on first need, cleared at the end).</summary>
    public Checking.AuditKeyIndex AuditKeys { get; } = new();

    /// <summary>When the session will lock itself if it stays idle.</summary>
    public DateTimeOffset ExpiresAt => new DateTimeOffset(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero) + IdleTimeout;

    /// <summary>True when locked, or idle longer than the timeout.</summary>
    public bool IsExpired => _closed || _superseded || Clock.UtcNow >= ExpiresAt;

    /// <summary>Records which wrapped copy of the metadata key this session opened (at unlock).</summary>
    public VaultSession WithMetadataKeyCopy(byte[] wrappedNonce)
    {
        MetadataKeyCopy = wrappedNonce;
        return this;
    }

    /// <summary>True when <paramref name="wrappedNonce"/> is the copy this session opened.</summary>
    public bool HoldsMetadataKeyCopy(byte[] wrappedNonce) => wrappedNonce.AsSpan().SequenceEqual(MetadataKeyCopy);

    /// <summary>
    /// After this session rekeyed the vault: uses the new keys from now on. The old ones are zeroized
    /// when the session ends, not now, because an operation on another thread may still hold them.
    /// </summary>
    public void ReplaceKeys(VaultKeys keys, byte[] wrappedNonce)
    {
        lock (_retiredKeys) _retiredKeys.Add(_keys);
        MetadataKeyCopy = wrappedNonce;
        _keys = keys;
        // An operation on another thread that saw the new copy before this call took it for another session's rekey.
        _superseded = false;
    }

    /// <summary>Marks the session as outdated (the vault was rekeyed elsewhere): it counts as locked from now on.</summary>
    public void Supersede() => _superseded = true;

    /// <summary>Runs <paramref name="work"/> with the keys held; refuses when locked or idle-expired.</summary>
    public T Use<T>(Func<VaultSession, T> work)
    {
        _gate.EnterReadLock();
        try
        {
            if (IsExpired) throw new VaultLockedException(VaultPath);
            Interlocked.Exchange(ref _lastUsedTicks, Clock.UtcNow.UtcTicks);
            return work(this);
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    /// <summary>
    /// The pair key between a sender key and a principal, computed once (one ECDH) and cached.
    /// For this session's own principal it uses the principal's private key; for another
    /// principal it needs this session's own sender key.
    /// </summary>
    public ReadOnlySpan<byte> PairKey(long senderId, Guid principalId, Func<(byte[] SenderPublic, byte[] RecipientPublic)> publicKeys)
    {
        var buffer = _pairKeys.GetOrAdd((senderId, principalId), _ =>
        {
            var (senderPublic, recipientPublic) = publicKeys();
            if (principalId == PrincipalId)
            {
                using var peer = EcKeys.ImportEcdhPublic(senderPublic, "a sender public key");
                return KeyWrap.PairKey(_ecdhPrivate, peer, senderPublic, recipientPublic);
            }
            if (senderId != _senderId || _senderKey is null)
                throw new InvalidOperationException("Only this session's own sender key can wrap to another principal.");
            using var recipient = EcKeys.ImportEcdhPublic(recipientPublic, "a principal public key");
            return KeyWrap.PairKey(_senderKey, recipient, senderPublic, recipientPublic);
        });
        return buffer.ReadOnlySpan;
    }

    /// <summary>
    /// This session's sender key id, creating the key pair on first use. <paramref name="store"/>
    /// persists the public half in its own committed transaction and returns its id; if it
    /// fails, nothing is remembered and the next write tries again.
    /// </summary>
    public long SenderKey(Func<byte[], long> store, out byte[] senderPublic)
    {
        lock (_senderGate)
        {
            if (_senderKey is null)
            {
                _senderKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
                _senderPublic = EcKeys.EncodePublic(_senderKey.ExportParameters(false).Q);
            }
            senderPublic = _senderPublic!;
            if (_senderId == 0) _senderId = store(_senderPublic!);
            return _senderId;
        }
    }

    /// <summary>The principal's two private scalars (ECDH | ECDSA), for sealing a new keyslot; the caller disposes them.</summary>
    public SecureBuffer CopyPrivateScalars() => EcKeys.ExportScalars(_ecdhPrivate, SigningKey);

    /// <summary>Waits for running operations, then zeroizes every key this session holds.</summary>
    public void Dispose()
    {
        _gate.EnterWriteLock();
        try
        {
            if (_closed) return;
            _closed = true;
            _keys.Dispose();
            lock (_retiredKeys)
            {
                foreach (var retired in _retiredKeys) retired.Dispose();
                _retiredKeys.Clear();
            }
            SigningKey.Dispose();
            _ecdhPrivate.Dispose();
            _senderKey?.Dispose();
            foreach (var buffer in _pairKeys.Values) buffer.Dispose();
            _pairKeys.Clear();
            AuditKeys.Clear();
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }
}
