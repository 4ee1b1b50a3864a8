using SecureVault.Memory;

namespace SecureVault.Cli.Input;

/// <summary>
/// Collects secret bytes of a length not known in advance. The bytes only ever live in
/// <see cref="SecureBuffer"/>s: growing copies them into a larger buffer and zeroizes the old one,
/// so no managed array ever holds a copy the GC could move or leave behind.
/// </summary>
internal sealed class SecureByteBuilder(int initialCapacity = 256) : IDisposable
{
    private SecureBuffer _buffer = new(Math.Max(initialCapacity, 16));

    /// <summary>The number of bytes collected.</summary>
    public int Length { get; private set; }

    /// <summary>The bytes collected so far.</summary>
    public ReadOnlySpan<byte> Written => _buffer.ReadOnlySpan[..Length];

    /// <summary>Appends <paramref name="bytes"/>.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        EnsureCapacity(Length + bytes.Length);
        bytes.CopyTo(_buffer.Span[Length..]);
        Length += bytes.Length;
    }

    /// <summary>Drops bytes from the end, keeping the first <paramref name="length"/>.</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        _buffer.Span[length..Length].Clear();
        Length = length;
    }

    /// <summary>Removes one trailing "\n" or "\r\n", if there is one.</summary>
    public void TrimOneNewline()
    {
        var written = Written;
        if (written.EndsWith("\r\n"u8)) Truncate(Length - 2);
        else if (written.EndsWith("\n"u8)) Truncate(Length - 1);
    }

    /// <summary>A new buffer of exactly the collected bytes; the caller disposes it.</summary>
    public SecureBuffer ToBuffer() => SecureBuffer.CopyOf(Written);

    /// <summary>Zeroizes the collected bytes.</summary>
    public void Dispose() => _buffer.Dispose();

    private void EnsureCapacity(int needed)
    {
        if (needed <= _buffer.Length) return;
        var larger = new SecureBuffer((int)Math.Min(Math.Max((long)_buffer.Length * 2, needed), int.MaxValue));
        Written.CopyTo(larger.Span);
        _buffer.Dispose();
        _buffer = larger;
    }
}
