// Argon2id version 0x13 (RFC 9106), with BLAKE2b (RFC 7693) as its hash H.
// Sizes: 1 KiB blocks of 128 64-bit words; m KiB of memory (at least 8 per lane) in p lanes of four
// slices each; t passes; a tag of 4 to 1024 bytes (SecureVault uses 32). Optional secret K and
// associated data X are hashed into H0 as the RFC says.
// Why our own: the library used before kept the password in an unpinned, unzeroed managed buffer
// (its BLAKE2b input), readable in memory after Lock. Here the password is only ever read by a
// Blake2b whose state is a SecureBuffer; H0, the block initialisation input and every H' chain value
// live in SecureBuffers; the memory matrix and the per-lane work blocks are native memory that is
// overwritten with zeros before it is freed, also when the computation fails. Lanes of one slice run
// in parallel (one task per lane), as RFC 9106 section 3.4 allows. The compression G uses AVX2 where
// the processor has it (four 64-bit words per instruction) and plain 64-bit arithmetic otherwise;
// both give the same bytes (tested).
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SecureVault.Memory;

namespace SecureVault.Crypto;

/// <summary>Argon2id over native memory that is zeroed after use.</summary>
internal static unsafe class Argon2id
{
    public const int BlockBytes = 1024;
    private const int Words = BlockBytes / 8;
    private const int SyncPoints = 4;
    private const uint Version = 0x13;
    private const uint TypeId = 2; // Argon2id
    private const int AddressesPerBlock = Words;

    /// <summary>
    /// Computes the Argon2id tag of <paramref name="password"/> into <paramref name="tag"/> (its length
    /// is the tag length). Parameters are as in RFC 9106: memory in KiB, passes, lanes.
    /// </summary>
    public static void Hash(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int memoryKiB, int iterations, int parallelism,
        Span<byte> tag, ReadOnlySpan<byte> secret = default, ReadOnlySpan<byte> associatedData = default) =>
        Hash(password, salt, memoryKiB, iterations, parallelism, tag, secret, associatedData, vectorized: Avx2.IsSupported);

    /// <summary>As above; <paramref name="vectorized"/> false forces the portable compression (for the tests).</summary>
    internal static void Hash(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int memoryKiB, int iterations, int parallelism,
        Span<byte> tag, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> associatedData, bool vectorized)
    {
        if (vectorized && !Avx2.IsSupported) throw new PlatformNotSupportedException("AVX2 is not available.");
        if (parallelism is < 1 or > 0xFFFFFF) throw new ArgumentOutOfRangeException(nameof(parallelism));
        if (iterations < 1) throw new ArgumentOutOfRangeException(nameof(iterations));
        if (memoryKiB < 8 * parallelism) throw new ArgumentOutOfRangeException(nameof(memoryKiB), "Argon2 needs at least 8 KiB per lane.");
        if (tag.Length is < 4 or > BlockBytes) throw new ArgumentOutOfRangeException(nameof(tag));
        if (salt.Length < 8) throw new ArgumentOutOfRangeException(nameof(salt), "Argon2 needs a salt of at least 8 bytes.");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Argon2id here assumes a little-endian machine.");

        // m' = 4 p floor(m / 4p) blocks; each lane is q = m' / p blocks in four segments.
        int segmentLength = memoryKiB / (SyncPoints * parallelism);
        int laneLength = segmentLength * SyncPoints;
        long blockCount = (long)laneLength * parallelism;
        using var instance = new Instance(parallelism, laneLength, segmentLength, iterations, blockCount, vectorized);

        using (var seed = new SecureBuffer(64 + 8))
        {
            ComputeH0(seed.Span[..64], password, salt, secret, associatedData, memoryKiB, iterations, parallelism, tag.Length);
            // B[i][0] = H'(H0 || LE32(0) || LE32(i)), B[i][1] = H'(H0 || LE32(1) || LE32(i)).
            for (int lane = 0; lane < parallelism; lane++)
            {
                for (uint column = 0; column < 2; column++)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(seed.Span[64..], column);
                    BinaryPrimitives.WriteUInt32LittleEndian(seed.Span[68..], (uint)lane);
                    VariableHash(seed.ReadOnlySpan, instance.BlockBytesAt(lane, (int)column));
                }
            }
        }

        for (int pass = 0; pass < iterations; pass++)
        {
            for (int slice = 0; slice < SyncPoints; slice++)
            {
                if (parallelism == 1) instance.FillSegment(pass, 0, slice);
                else
                {
                    int p = pass, s = slice;
                    Parallel.For(0, parallelism, lane => instance.FillSegment(p, lane, s));
                }
            }
        }

        // C = B[0][q-1] XOR ... XOR B[p-1][q-1]; the tag is H'(C).
        var final = instance.Work(0, 0);
        Copy(final, instance.BlockAt(0, laneLength - 1));
        for (int lane = 1; lane < parallelism; lane++) XorInto(final, instance.BlockAt(lane, laneLength - 1));
        VariableHash(new ReadOnlySpan<byte>(final, BlockBytes), tag);
    }

    /// <summary>H0 = H^64(p, T, m, t, v, y, |P|, P, |S|, S, |K|, K, |X|, X), all lengths 32-bit little-endian.</summary>
    private static void ComputeH0(Span<byte> h0, ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> secret,
        ReadOnlySpan<byte> associatedData, int memoryKiB, int iterations, int parallelism, int tagLength)
    {
        using var hash = new Blake2b(64);
        hash.UpdateLittleEndian((uint)parallelism);
        hash.UpdateLittleEndian((uint)tagLength);
        hash.UpdateLittleEndian((uint)memoryKiB);
        hash.UpdateLittleEndian((uint)iterations);
        hash.UpdateLittleEndian(Version);
        hash.UpdateLittleEndian(TypeId);
        hash.UpdateLittleEndian((uint)password.Length);
        hash.Update(password);
        hash.UpdateLittleEndian((uint)salt.Length);
        hash.Update(salt);
        hash.UpdateLittleEndian((uint)secret.Length);
        hash.Update(secret);
        hash.UpdateLittleEndian((uint)associatedData.Length);
        hash.Update(associatedData);
        hash.Finish(h0);
    }

    /// <summary>
    /// H' (RFC 9106 section 3.3): H^T(LE32(T) || input) for T up to 64 bytes; longer outputs chain
    /// 64-byte hashes and keep the first 32 bytes of each. The chain values stay in a SecureBuffer.
    /// </summary>
    internal static void VariableHash(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int length = output.Length;
        if (length <= Blake2b.MaxDigestSize)
        {
            using var single = new Blake2b(length);
            single.UpdateLittleEndian((uint)length);
            single.Update(input);
            single.Finish(output);
            return;
        }
        using var chain = new SecureBuffer(2 * Blake2b.MaxDigestSize);
        var current = chain.Span[..64];
        var next = chain.Span[64..];
        using (var first = new Blake2b(64))
        {
            first.UpdateLittleEndian((uint)length);
            first.Update(input);
            first.Finish(current);
        }
        int r = (length + 31) / 32 - 2;
        int written = 0;
        for (int i = 1; i < r; i++)
        {
            current[..32].CopyTo(output[written..]);
            written += 32;
            Blake2b.Hash(current, next);
            next.CopyTo(current);
        }
        current[..32].CopyTo(output[written..]);
        written += 32;
        Blake2b.Hash(current, output[written..]);
    }

    /// <summary>The memory matrix and each lane's work blocks, in native memory zeroed on Dispose.</summary>
    private sealed class Instance : IDisposable
    {
        // Per lane: R, the copy kept for the final XOR, the address block, the address input block, and a zero block.
        private const int WorkBlocksPerLane = 5;
        private readonly int _lanes, _laneLength, _segmentLength, _passes;
        private readonly bool _vectorized;
        private readonly long _blockCount;
        private readonly nuint _matrixBytes, _workBytes;
        private ulong* _matrix;
        private ulong* _work;

        public Instance(int lanes, int laneLength, int segmentLength, int passes, long blockCount, bool vectorized)
        {
            (_lanes, _laneLength, _segmentLength, _passes, _blockCount, _vectorized) = (lanes, laneLength, segmentLength, passes, blockCount, vectorized);
            _matrixBytes = (nuint)blockCount * BlockBytes;
            _workBytes = (nuint)(lanes * WorkBlocksPerLane) * BlockBytes;
            _matrix = (ulong*)NativeMemory.AlignedAlloc(_matrixBytes, 64);
            _work = (ulong*)NativeMemory.AlignedAlloc(_workBytes, 64);
            NativeMemory.Clear(_work, _workBytes);
        }

        public ulong* BlockAt(int lane, int column) => _matrix + ((long)lane * _laneLength + column) * Words;

        public Span<byte> BlockBytesAt(int lane, int column) => new(BlockAt(lane, column), BlockBytes);

        public ulong* Work(int lane, int index) => _work + ((long)lane * WorkBlocksPerLane + index) * Words;

        /// <summary>Computes one segment (a quarter of a lane) of one pass: RFC 9106 section 3.4.</summary>
        public void FillSegment(int pass, int lane, int slice)
        {
            ulong* r = Work(lane, 0), keep = Work(lane, 1), addresses = Work(lane, 2), addressInput = Work(lane, 3), zero = Work(lane, 4);
            // Argon2id: the first half of the first pass uses data-independent addressing (Argon2i), the rest data-dependent (Argon2d).
            bool independent = pass == 0 && slice < SyncPoints / 2;
            if (independent)
            {
                new Span<ulong>(addressInput, Words).Clear();
                addressInput[0] = (ulong)pass;
                addressInput[1] = (ulong)lane;
                addressInput[2] = (ulong)slice;
                addressInput[3] = (ulong)_blockCount;
                addressInput[4] = (ulong)_passes;
                addressInput[5] = TypeId;
            }
            int start = 0;
            if (pass == 0 && slice == 0)
            {
                start = 2; // the first two blocks of every lane come from H'
                if (independent) NextAddresses(addresses, addressInput, zero, r, keep);
            }
            for (int index = start; index < _segmentLength; index++)
            {
                int column = slice * _segmentLength + index;
                ulong* previous = BlockAt(lane, column == 0 ? _laneLength - 1 : column - 1);
                if (independent && index % AddressesPerBlock == 0) NextAddresses(addresses, addressInput, zero, r, keep);
                ulong pseudoRandom = independent ? addresses[index % AddressesPerBlock] : previous[0];
                int referenceLane = pass == 0 && slice == 0 ? lane : (int)((pseudoRandom >> 32) % (ulong)_lanes);
                int referenceColumn = ReferenceColumn(pass, slice, index, (uint)pseudoRandom, referenceLane == lane);
                Compress(previous, BlockAt(referenceLane, referenceColumn), BlockAt(lane, column), withXor: pass > 0, r, keep, _vectorized);
            }
        }

        /// <summary>The column of the reference block in its lane (RFC 9106 section 3.4.2), from J1.</summary>
        private int ReferenceColumn(int pass, int slice, int index, uint j1, bool sameLane)
        {
            long areaSize;
            if (pass == 0)
            {
                areaSize = slice == 0 ? index - 1
                    : sameLane ? (long)slice * _segmentLength + index - 1
                    : (long)slice * _segmentLength + (index == 0 ? -1 : 0);
            }
            else
            {
                areaSize = sameLane ? _laneLength - _segmentLength + index - 1
                    : _laneLength - _segmentLength + (index == 0 ? -1 : 0);
            }
            ulong x = ((ulong)j1 * j1) >> 32;
            ulong y = ((ulong)areaSize * x) >> 32;
            long relative = areaSize - 1 - (long)y;
            long startPosition = pass == 0 || slice == SyncPoints - 1 ? 0 : (long)(slice + 1) * _segmentLength;
            return (int)((startPosition + relative) % _laneLength);
        }

        /// <summary>The next block of 128 pseudo-random words: G(0, G(0, input)) after incrementing the counter.</summary>
        private void NextAddresses(ulong* addresses, ulong* input, ulong* zero, ulong* r, ulong* keep)
        {
            input[6]++;
            Compress(zero, input, addresses, withXor: false, r, keep, _vectorized);
            Compress(zero, addresses, addresses, withXor: false, r, keep, _vectorized);
        }

        public void Dispose()
        {
            if (_matrix != null)
            {
                NativeMemory.Clear(_matrix, _matrixBytes);
                NativeMemory.AlignedFree(_matrix);
                _matrix = null;
            }
            if (_work != null)
            {
                NativeMemory.Clear(_work, _workBytes);
                NativeMemory.AlignedFree(_work);
                _work = null;
            }
        }
    }

    /// <summary>
    /// The compression function G (RFC 9106 section 3.5): R = X xor Y; the BlaMka permutation P over
    /// its eight rows and then its eight columns gives Z; the result is Z xor R (xor the old block from
    /// the second pass on). <paramref name="next"/> may be the same block as <paramref name="reference"/>.
    /// </summary>
    private static void Compress(ulong* previous, ulong* reference, ulong* next, bool withXor, ulong* r, ulong* keep, bool vectorized)
    {
        if (vectorized)
        {
            CompressAvx2(previous, reference, next, withXor, r, keep);
            return;
        }
        for (int i = 0; i < Words; i++)
        {
            ulong value = previous[i] ^ reference[i];
            r[i] = value;
            keep[i] = withXor ? value ^ next[i] : value;
        }
        for (int row = 0; row < 8; row++)
        {
            ulong* v = r + row * 16;
            Permute(ref v[0], ref v[1], ref v[2], ref v[3], ref v[4], ref v[5], ref v[6], ref v[7],
                ref v[8], ref v[9], ref v[10], ref v[11], ref v[12], ref v[13], ref v[14], ref v[15]);
        }
        for (int col = 0; col < 8; col++)
        {
            ulong* v = r + col * 2;
            Permute(ref v[0], ref v[1], ref v[16], ref v[17], ref v[32], ref v[33], ref v[48], ref v[49],
                ref v[64], ref v[65], ref v[80], ref v[81], ref v[96], ref v[97], ref v[112], ref v[113]);
        }
        for (int i = 0; i < Words; i++) next[i] = keep[i] ^ r[i];
    }

    // Byte shuffles that rotate each 64-bit word right by 24 and by 16 bits.
    private static readonly Vector256<byte> Rotate24 = Vector256.Create((byte)3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
    private static readonly Vector256<byte> Rotate16 = Vector256.Create((byte)2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);

    /// <summary>
    /// G with AVX2: each P works on its 16 words as four vectors a, b, c, d (the rows of a 4x4
    /// matrix), so one vector G does the four column mixes; rotating b, c, d by one, two and three
    /// words lines up the diagonals for the other four, and rotating back restores the order.
    /// </summary>
    private static void CompressAvx2(ulong* previous, ulong* reference, ulong* next, bool withXor, ulong* r, ulong* keep)
    {
        for (int i = 0; i < Words; i += 4)
        {
            var value = Avx.LoadVector256(previous + i) ^ Avx.LoadVector256(reference + i);
            Avx.Store(r + i, value);
            Avx.Store(keep + i, withXor ? value ^ Avx.LoadVector256(next + i) : value);
        }
        for (int row = 0; row < 8; row++)
        {
            ulong* v = r + row * 16;
            var a = Avx.LoadVector256(v);
            var b = Avx.LoadVector256(v + 4);
            var c = Avx.LoadVector256(v + 8);
            var d = Avx.LoadVector256(v + 12);
            PermuteVectors(ref a, ref b, ref c, ref d);
            Avx.Store(v, a);
            Avx.Store(v + 4, b);
            Avx.Store(v + 8, c);
            Avx.Store(v + 12, d);
        }
        for (int col = 0; col < 8; col++)
        {
            // Column col is words 2col, 2col+1 of every row: two words from each of eight rows.
            ulong* v = r + col * 2;
            var a = Vector256.Create(Sse2.LoadVector128(v), Sse2.LoadVector128(v + 16));
            var b = Vector256.Create(Sse2.LoadVector128(v + 32), Sse2.LoadVector128(v + 48));
            var c = Vector256.Create(Sse2.LoadVector128(v + 64), Sse2.LoadVector128(v + 80));
            var d = Vector256.Create(Sse2.LoadVector128(v + 96), Sse2.LoadVector128(v + 112));
            PermuteVectors(ref a, ref b, ref c, ref d);
            Sse2.Store(v, a.GetLower());
            Sse2.Store(v + 16, a.GetUpper());
            Sse2.Store(v + 32, b.GetLower());
            Sse2.Store(v + 48, b.GetUpper());
            Sse2.Store(v + 64, c.GetLower());
            Sse2.Store(v + 80, c.GetUpper());
            Sse2.Store(v + 96, d.GetLower());
            Sse2.Store(v + 112, d.GetUpper());
        }
        for (int i = 0; i < Words; i += 4) Avx.Store(next + i, Avx.LoadVector256(keep + i) ^ Avx.LoadVector256(r + i));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PermuteVectors(ref Vector256<ulong> a, ref Vector256<ulong> b, ref Vector256<ulong> c, ref Vector256<ulong> d)
    {
        MixVectors(ref a, ref b, ref c, ref d);
        b = Avx2.Permute4x64(b, 0b00_11_10_01); // (v5, v6, v7, v4)
        c = Avx2.Permute4x64(c, 0b01_00_11_10); // (v10, v11, v8, v9)
        d = Avx2.Permute4x64(d, 0b10_01_00_11); // (v15, v12, v13, v14)
        MixVectors(ref a, ref b, ref c, ref d);
        b = Avx2.Permute4x64(b, 0b10_01_00_11);
        c = Avx2.Permute4x64(c, 0b01_00_11_10);
        d = Avx2.Permute4x64(d, 0b00_11_10_01);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MixVectors(ref Vector256<ulong> a, ref Vector256<ulong> b, ref Vector256<ulong> c, ref Vector256<ulong> d)
    {
        var product = Avx2.Multiply(a.AsUInt32(), b.AsUInt32()); // low 32 bits of each word, 64-bit products
        a = a + b + product + product;
        d = Avx2.Shuffle((d ^ a).AsUInt32(), 0b10_11_00_01).AsUInt64(); // rotate right 32
        product = Avx2.Multiply(c.AsUInt32(), d.AsUInt32());
        c = c + d + product + product;
        b = Avx2.Shuffle((b ^ c).AsByte(), Rotate24).AsUInt64();
        product = Avx2.Multiply(a.AsUInt32(), b.AsUInt32());
        a = a + b + product + product;
        d = Avx2.Shuffle((d ^ a).AsByte(), Rotate16).AsUInt64();
        product = Avx2.Multiply(c.AsUInt32(), d.AsUInt32());
        c = c + d + product + product;
        var x = b ^ c;
        b = (x + x) ^ Avx2.ShiftRightLogical(x, 63); // rotate right 63
    }

    /// <summary>P: one BLAKE2b round without message words, with BlaMka's multiplication in each G.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Permute(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3, ref ulong v4, ref ulong v5, ref ulong v6, ref ulong v7,
        ref ulong v8, ref ulong v9, ref ulong v10, ref ulong v11, ref ulong v12, ref ulong v13, ref ulong v14, ref ulong v15)
    {
        Mix(ref v0, ref v4, ref v8, ref v12);
        Mix(ref v1, ref v5, ref v9, ref v13);
        Mix(ref v2, ref v6, ref v10, ref v14);
        Mix(ref v3, ref v7, ref v11, ref v15);
        Mix(ref v0, ref v5, ref v10, ref v15);
        Mix(ref v1, ref v6, ref v11, ref v12);
        Mix(ref v2, ref v7, ref v8, ref v13);
        Mix(ref v3, ref v4, ref v9, ref v14);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Mix(ref ulong a, ref ulong b, ref ulong c, ref ulong d)
    {
        ulong va = a, vb = b, vc = c, vd = d;
        va = va + vb + 2 * ((ulong)(uint)va * (uint)vb);
        vd = BitOperations.RotateRight(vd ^ va, 32);
        vc = vc + vd + 2 * ((ulong)(uint)vc * (uint)vd);
        vb = BitOperations.RotateRight(vb ^ vc, 24);
        va = va + vb + 2 * ((ulong)(uint)va * (uint)vb);
        vd = BitOperations.RotateRight(vd ^ va, 16);
        vc = vc + vd + 2 * ((ulong)(uint)vc * (uint)vd);
        vb = BitOperations.RotateRight(vb ^ vc, 63);
        (a, b, c, d) = (va, vb, vc, vd);
    }

    private static void Copy(ulong* destination, ulong* source) => Buffer.MemoryCopy(source, destination, BlockBytes, BlockBytes);

    private static void XorInto(ulong* destination, ulong* source)
    {
        for (int i = 0; i < Words; i++) destination[i] ^= source[i];
    }
}
