using System.Net.Sockets;

namespace SecureVault.Tests;

/// <summary>A bound Unix datagram socket in its own temporary folder, standing in for /dev/log.</summary>
internal sealed class SyslogListener : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("securevault-syslog-").FullName;
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly byte[] _buffer = new byte[65536];

    public SyslogListener()
    {
        Path = System.IO.Path.Combine(_folder, "log");
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
        _socket.ReceiveTimeout = 30_000;   // only so a lost datagram fails the test instead of hanging it
    }

    public string Path { get; }

    /// <summary>True when a datagram is waiting (senders write synchronously, so nothing arrives later).</summary>
    public bool HasPending => _socket.Available > 0;

    public byte[] Receive() => _buffer.AsSpan(0, _socket.Receive(_buffer)).ToArray();

    public void Dispose()
    {
        _socket.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
