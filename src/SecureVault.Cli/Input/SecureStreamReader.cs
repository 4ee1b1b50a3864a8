using SecureVault.Memory;

namespace SecureVault.Cli.Input;

/// <summary>
/// Reads lines and the remainder of an unbuffered stream (stdin, or a password file opened
/// without a buffer) into secure buffers. Its own read-ahead also lives in a secure buffer, so no
/// byte of a password or value passes through a managed array or a System.String.
/// </summary>
internal sealed class SecureStreamReader(Stream stream) : IDisposable
{
    private const int ChunkSize = 16 * 1024;
    private readonly SecureBuffer _chunk = new(ChunkSize);
    private int _position;
    private int _filled;
    private bool _ended;

    /// <summary>
    /// Reads up to the next "\n" and returns the bytes before it (a "\r" before the "\n" is
    /// dropped too). Returns null when the input had already ended. A line over
    /// <paramref name="maxBytes"/> is refused, naming <paramref name="what"/> (never its content).
    /// </summary>
    public SecureBuffer? ReadLine(int maxBytes, string what)
    {
        using var line = new SecureByteBuilder();
        bool readAny = false;
        while (_position < _filled || Fill())
        {
            readAny = true;
            var available = _chunk.ReadOnlySpan[_position.._filled];
            int newline = available.IndexOf((byte)'\n');
            var part = newline < 0 ? available : available[..newline];
            // One byte of slack for a "\r" that the line ending will remove.
            if ((long)line.Length + part.Length > maxBytes + 1L)
                throw new VaultInvalidInputException($"{what} is longer than {maxBytes} bytes.");
            line.Append(part);
            _position += newline < 0 ? part.Length : newline + 1;
            if (newline >= 0) break;
        }
        if (!readAny) return null;
        if (line.Written.EndsWith("\r"u8)) line.Truncate(line.Length - 1);
        if (line.Length > maxBytes) throw new VaultInvalidInputException($"{what} is longer than {maxBytes} bytes.");
        return line.ToBuffer();
    }

    /// <summary>
    /// Reads everything left into <paramref name="into"/>. Returns false, having stopped, as soon
    /// as more than <paramref name="maxBytes"/> arrive, so a huge input never fills memory.
    /// </summary>
    public bool ReadToEnd(SecureByteBuilder into, int maxBytes)
    {
        while (_position < _filled || Fill())
        {
            int count = _filled - _position;
            if ((long)into.Length + count > maxBytes) return false;
            into.Append(_chunk.ReadOnlySpan[_position.._filled]);
            _position = _filled;
        }
        return true;
    }

    /// <summary>Zeroizes the read-ahead.</summary>
    public void Dispose() => _chunk.Dispose();

    private bool Fill()
    {
        if (_ended) return false;
        _position = 0;
        _filled = stream.Read(_chunk.Span);
        if (_filled == 0) _ended = true;
        return _filled > 0;
    }
}
