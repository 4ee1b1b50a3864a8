// BLAKE2b (RFC 7693), unkeyed, digest length 1 to 64 bytes: the hash inside Argon2id (RFC 9106).
// Sizes: 128-byte blocks, eight 64-bit chaining words, a 128-bit byte counter, 12 rounds.
// Why our own: the hash input of the first Argon2 call is the password itself. This type keeps its
// whole state (chaining words, counter, working vector and the buffered input block) in one
// SecureBuffer (native memory, never moved by the GC, zeroed on Dispose), and the compression reads
// the message words straight from that buffer, so no copy of the input lands in managed memory.
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using SecureVault.Memory;

namespace SecureVault.Crypto;

/// <summary>An incremental BLAKE2b hash whose state lives in zeroed native memory.</summary>
/// <remarks>Invariant: after <see cref="Dispose"/> every byte of state, input included, has been overwritten.</remarks>
internal sealed class Blake2b : IDisposable
{
    public const int BlockSize = 128;
    public const int MaxDigestSize = 64;

    private const int ChainOffset = 0;        // h[0..7]
    private const int CounterOffset = 64;     // t0, t1
    private const int WorkOffset = 80;        // v[0..15] during a compression
    private const int BlockOffset = 208;      // the buffered input block
    private const int StateSize = BlockOffset + BlockSize;

    private static readonly ulong[] Iv =
    [
        0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
        0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
    ];

    // The message word schedule of rounds 0..9; rounds 10 and 11 repeat rounds 0 and 1.
    private static readonly byte[] Sigma =
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
        11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
        7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
        9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
        2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
        12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
        13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
        6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
        10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
    ];

    private readonly SecureBuffer _state = new(StateSize);
    private readonly int _digestSize;
    private int _buffered;

    /// <summary>Starts a hash with a <paramref name="digestSize"/>-byte result (1 to 64).</summary>
    public Blake2b(int digestSize)
    {
        if (digestSize is < 1 or > MaxDigestSize)
        {
            _state.Dispose();
            throw new ArgumentOutOfRangeException(nameof(digestSize));
        }
        _digestSize = digestSize;
        var h = Chain;
        Iv.CopyTo(h);
        // Parameter block word 0: digest length, key length 0, fanout 1, depth 1.
        h[0] ^= 0x01010000UL ^ (ulong)digestSize;
    }

    private Span<ulong> Chain => MemoryMarshal.Cast<byte, ulong>(_state.Span.Slice(ChainOffset, 64));
    private Span<ulong> Counter => MemoryMarshal.Cast<byte, ulong>(_state.Span.Slice(CounterOffset, 16));
    private Span<ulong> Work => MemoryMarshal.Cast<byte, ulong>(_state.Span.Slice(WorkOffset, 128));
    private Span<byte> Block => _state.Span.Slice(BlockOffset, BlockSize);

    /// <summary>Adds <paramref name="data"/> to the hash input.</summary>
    public void Update(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            // The last block must be compressed with the final flag, so a full block waits for more input.
            if (_buffered == BlockSize)
            {
                AddToCounter(BlockSize);
                Compress(final: false);
                _buffered = 0;
            }
            int take = Math.Min(BlockSize - _buffered, data.Length);
            data[..take].CopyTo(Block[_buffered..]);
            _buffered += take;
            data = data[take..];
        }
    }

    /// <summary>Adds a 32-bit little-endian number (the length prefixes Argon2 uses).</summary>
    public void UpdateLittleEndian(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        Update(bytes);
    }

    /// <summary>Finishes the hash into <paramref name="digest"/> (exactly the digest size).</summary>
    public void Finish(Span<byte> digest)
    {
        if (digest.Length != _digestSize) throw new ArgumentException("The digest span has the wrong length.", nameof(digest));
        AddToCounter(_buffered);
        Block[_buffered..].Clear();
        Compress(final: true);
        var h = Chain;
        Span<byte> word = stackalloc byte[8];
        for (int i = 0; i < _digestSize; i += 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(word, h[i / 8]);
            word[..Math.Min(8, _digestSize - i)].CopyTo(digest[i..]);
        }
        word.Clear();
    }

    /// <summary>BLAKE2b of <paramref name="data"/> into <paramref name="digest"/> (its length is the digest size).</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> digest)
    {
        using var hash = new Blake2b(digest.Length);
        hash.Update(data);
        hash.Finish(digest);
    }

    private void AddToCounter(int bytes)
    {
        var t = Counter;
        t[0] += (ulong)bytes;
        if (t[0] < (ulong)bytes) t[1]++;
    }

    private void Compress(bool final)
    {
        var h = Chain;
        var t = Counter;
        var v = Work;
        // The message words are read in place (little-endian), never copied out of the secure buffer.
        var m = MemoryMarshal.Cast<byte, ulong>(Block);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("BLAKE2b here assumes a little-endian machine.");
        h.CopyTo(v);
        Iv.CopyTo(v[8..]);
        v[12] ^= t[0];
        v[13] ^= t[1];
        if (final) v[14] = ~v[14];
        for (int round = 0; round < 12; round++)
        {
            var s = Sigma.AsSpan(round % 10 * 16, 16);
            Mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
            Mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
            Mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
            Mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
            Mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
            Mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
            Mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
            Mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
        }
        for (int i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
        v.Clear();
    }

    private static void Mix(Span<ulong> v, int a, int b, int c, int d, ulong x, ulong y)
    {
        v[a] = v[a] + v[b] + x;
        v[d] = BitOperations.RotateRight(v[d] ^ v[a], 32);
        v[c] = v[c] + v[d];
        v[b] = BitOperations.RotateRight(v[b] ^ v[c], 24);
        v[a] = v[a] + v[b] + y;
        v[d] = BitOperations.RotateRight(v[d] ^ v[a], 16);
        v[c] = v[c] + v[d];
        v[b] = BitOperations.RotateRight(v[b] ^ v[c], 63);
    }

    /// <summary>Zeroes the whole state, the buffered input included.</summary>
    public void Dispose() => _state.Dispose();
}
