using System.Runtime.InteropServices;
using SecureVault.Memory;

namespace SecureVault.Cli.Input;

/// <summary>
/// A hidden line from a Unix terminal, read the way getpass(3) reads it: echo is turned off in
/// the terminal itself before the prompt is shown and stays off until the line is complete.
/// </summary>
/// <remarks>
/// Why not Console.ReadKey: .NET turns echo off only while a ReadKey call is waiting, so the tty
/// echoes whatever arrives before the first call or between two calls (a fast typist, a paste,
/// a loaded machine). Here only the ECHO bit of c_lflag changes; canonical mode stays on, so the
/// kernel does the line editing (backspace, Ctrl+U) and read(2) returns at the end of the line.
/// The bytes go one by one from fd 0 into a secure buffer, so nothing past the newline is taken
/// from the terminal and no managed copy is made. The saved settings are put back in finally,
/// and by a SIGINT/SIGTERM handler should the process be stopped during the read.
/// </remarks>
internal static class HiddenLine
{
    private const int StdIn = 0;
    private const int TcsaNow = 0;
    private const uint Echo = 0x8; // ECHO, the same bit on Linux and macOS
    private const int TermiosSize = 256; // larger than struct termios on every supported system
    private static readonly int LflagOffset = OperatingSystem.IsMacOS() ? 24 : 12; // tcflag_t is 64-bit on macOS
    // In canonical mode the kernel drops what is typed beyond its line buffer (4096 bytes on Linux,
    // MAX_CANON 1024 on macOS), so a line that fills it may have been cut short: it is refused.
    private static readonly int KernelLineLimit = (OperatingSystem.IsMacOS() ? 1024 : 4096) - 2;

    /// <summary>
    /// Reads a line without echo, or returns null (having shown nothing) when this is not a Unix
    /// terminal whose settings can be read. Throws when nothing was entered (end of input on an
    /// empty line) or the line is longer than <paramref name="maxBytes"/>.
    /// </summary>
    public static SecureBuffer? TryRead(string prompt, int maxBytes, string what)
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())) return null;
        // .NET sets up its console (and saves the terminal settings it finds, to restore them at exit)
        // on first use; that must happen now, not while echo is off.
        _ = Console.In;
        var saved = new byte[TermiosSize];
        if (tcgetattr(StdIn, ref saved[0]) != 0) return null;
        var quiet = (byte[])saved.Clone();
        var lflag = quiet.AsSpan(LflagOffset, sizeof(uint));
        MemoryMarshal.Write(lflag, MemoryMarshal.Read<uint>(lflag) & ~Echo); // the low half on macOS too (little-endian)
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Restore(saved));
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Restore(saved));
        if (tcsetattr(StdIn, TcsaNow, ref quiet[0]) != 0) return null;
        try
        {
            Console.Error.Write(prompt);
            return ReadLine(maxBytes, what);
        }
        finally
        {
            Restore(saved);
            Console.Error.WriteLine(); // the Enter the terminal did not echo
        }
    }

    private static SecureBuffer ReadLine(int maxBytes, string what)
    {
        maxBytes = Math.Min(maxBytes, KernelLineLimit);
        // One byte of slack for a "\r" that is stripped; one more to tell "too long" from "exactly full".
        using var line = new SecureBuffer(maxBytes + 2);
        int count = 0;
        while (true)
        {
            nint read = ReadByte(ref line.Span[count]);
            if (read < 0)
            {
                if (Marshal.GetLastPInvokeError() == EINTR) continue;
                throw new IOException($"{what} could not be read from the terminal (error {Marshal.GetLastPInvokeError()}).");
            }
            if (read == 0 && count == 0) throw new CliUsageException($"{what} was not entered.");
            if (read == 0 || line.Span[count] == (byte)'\n') break;
            if (++count == line.Length)
            {
                // The rest of the line is read and dropped: left in the terminal it would reach the shell.
                while (ReadByte(ref line.Span[count - 1]) > 0 && line.Span[count - 1] != (byte)'\n') { }
                throw Terminal.TooLong(maxBytes, what);
            }
        }
        var bytes = line.ReadOnlySpan[..count];
        if (bytes.EndsWith("\r"u8)) bytes = bytes[..^1];
        if (bytes.Length > maxBytes) throw Terminal.TooLong(maxBytes, what);
        SecureText.RequireWellFormedUtf8(bytes, what);
        return SecureBuffer.CopyOf(bytes);
    }

    private static nint ReadByte(ref byte into) => read(StdIn, ref into, 1);

    private static void Restore(byte[] saved) => tcsetattr(StdIn, TcsaNow, ref saved[0]);

    private const int EINTR = 4; // the same on Linux and macOS

    [DllImport("libc", SetLastError = true)] private static extern int tcgetattr(int fd, ref byte termios);
    [DllImport("libc", SetLastError = true)] private static extern int tcsetattr(int fd, int optionalActions, ref byte termios);
    [DllImport("libc", SetLastError = true)] private static extern nint read(int fd, ref byte buffer, nint count);
}
