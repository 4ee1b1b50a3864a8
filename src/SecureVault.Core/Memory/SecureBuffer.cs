using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace SecureVault.Memory;

/// <summary>
/// A fixed-size buffer for key material and decrypted values. The bytes live in native memory
/// (never moved by the GC), are locked into RAM and excluded from core dumps where the OS allows,
/// and are zeroized on <see cref="Dispose"/>, on lock and at process exit.
/// </summary>
/// <remarks>
/// Invariant: after Dispose the memory has been overwritten with zeros before it is released.
/// Whether locking worked is reported once per process by <see cref="MemoryLocking.Status"/>.
/// </remarks>
public sealed unsafe class SecureBuffer : IDisposable
{
    private byte* _pointer;
    private readonly nuint _allocated;
    private readonly bool _locked;
    private readonly int _sizeClass;

    /// <summary>Allocates a zero-filled buffer of <paramref name="length"/> bytes.</summary>
    public SecureBuffer(int length)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length));
        Length = length;
        _sizeClass = SecureSlabPool.ClassFor(length);
        if (_sizeClass >= 0)
        {
            // Small buffers take a slot of an already locked slab: no system call per buffer.
            _allocated = (nuint)SecureSlabPool.SlotSize(_sizeClass);
            _pointer = SecureSlabPool.Rent(_sizeClass);
        }
        else
        {
            // Whole pages: mlock and madvise work on pages, and no other data shares them.
            _allocated = MemoryLocking.RoundToPages((nuint)length);
            _pointer = (byte*)NativeMemory.AlignedAlloc(_allocated, MemoryLocking.PageSize);
            NativeMemory.Clear(_pointer, _allocated);
            _locked = MemoryLocking.TryLock(_pointer, _allocated);
        }
        SecureBufferRegistry.Add(this);
    }

    /// <summary>Creates a buffer holding a copy of <paramref name="source"/>.</summary>
    public static SecureBuffer CopyOf(ReadOnlySpan<byte> source)
    {
        var buffer = new SecureBuffer(source.Length);
        source.CopyTo(buffer.Span);
        return buffer;
    }

    /// <summary>The number of usable bytes.</summary>
    public int Length { get; }

    /// <summary>True once the buffer has been zeroized and released.</summary>
    public bool IsDisposed => _pointer == null;

    /// <summary>The bytes. Throws <see cref="ObjectDisposedException"/> after Dispose.</summary>
    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pointer == null, this);
            return new Span<byte>(_pointer, Length);
        }
    }

    /// <summary>A read-only view of the bytes.</summary>
    public ReadOnlySpan<byte> ReadOnlySpan => Span;

    /// <summary>Copies the bytes into a new caller-owned array (the caller must clear it).</summary>
    public byte[] ToArray() => Span.ToArray();

    /// <summary>Zeroizes and releases the memory. Safe to call more than once and from any thread.</summary>
    public void Dispose()
    {
        byte* pointer;
        lock (this)
        {
            pointer = _pointer;
            if (pointer == null) return;
            _pointer = null;
        }
        CryptographicOperations.ZeroMemory(new Span<byte>(pointer, (int)Math.Min(_allocated, int.MaxValue)));
        if (_sizeClass >= 0)
        {
            SecureSlabPool.Return(_sizeClass, pointer);
        }
        else
        {
            if (_locked) MemoryLocking.Unlock(pointer, _allocated);
            NativeMemory.AlignedFree(pointer);
        }
        SecureBufferRegistry.Remove(this);
        GC.SuppressFinalize(this);
    }

    /// <summary>A buffer that was never disposed is still zeroized when collected.</summary>
    ~SecureBuffer() => Dispose();
}
