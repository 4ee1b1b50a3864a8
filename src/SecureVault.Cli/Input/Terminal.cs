using System.Runtime.InteropServices;
using SecureVault.Memory;

namespace SecureVault.Cli.Input;

/// <summary>
/// The interactive side of the tool: whether a person is at the keyboard, hidden prompts for
/// secrets and yes/no questions. Prompts go to stderr so that stdout stays clean for data.
/// </summary>
internal static class Terminal
{
    /// <summary>True when stdin is a terminal (nothing was piped or redirected in).</summary>
    public static bool IsInteractive => !Console.IsInputRedirected;

    /// <summary>
    /// Prompts on stderr and reads a line from the keyboard without echo, into a zeroized secure
    /// buffer as UTF-8; no string is made. At most <paramref name="maxBytes"/> bytes of UTF-8.
    /// </summary>
    /// <remarks>
    /// On Unix the terminal's echo is off from before the prompt until the line ends
    /// (<see cref="HiddenLine"/>). Console.ReadKey, which turns echo off only while it waits, is
    /// left for Windows and for a stdin whose terminal settings cannot be read.
    /// </remarks>
    public static SecureBuffer ReadHidden(string prompt, int maxBytes, string what)
    {
        if (HiddenLine.TryRead(prompt, maxBytes, what) is { } line) return line;
        // A character takes at least one UTF-8 byte, so no more characters than bytes.
        int maxChars = maxBytes;
        Console.Error.Write(prompt);
        using var buffer = new SecureBuffer(maxChars * sizeof(char));
        var chars = MemoryMarshal.Cast<byte, char>(buffer.Span);
        int count = 0;
        try
        {
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                if (key.Key == ConsoleKey.Enter) break;
                if (key.Key == ConsoleKey.Backspace)
                {
                    if (count > 0) chars[--count] = '\0';
                    continue;
                }
                char c = key.KeyChar;
                // Ctrl+D on an empty line: the person gave up rather than typing an empty secret.
                if (c == '\u0004' && count == 0) throw new CliUsageException($"{what} was not entered.");
                if (c == '\0' || char.IsControl(c)) continue;
                if (count == chars.Length) throw TooLong(maxBytes, what);
                chars[count++] = c;
            }
        }
        finally
        {
            Console.Error.WriteLine();
        }
        // Strict: a lone surrogate is refused, not turned into U+FFFD (which would make many secrets one).
        var utf8 = SecureText.ToWellFormedUtf8(chars[..count], what);
        if (utf8.Length <= maxBytes) return utf8;
        utf8.Dispose();
        throw TooLong(maxBytes, what);
    }

    /// <summary>The error for a prompted secret over its limit (its content is never named).</summary>
    internal static VaultInvalidInputException TooLong(int maxBytes, string what) =>
        new($"{what} is longer than {maxBytes} bytes; pipe it on stdin instead.");

    /// <summary>Asks a yes/no question on stderr; only "y" or "yes" counts as yes.</summary>
    public static bool Confirm(string question)
    {
        Console.Error.Write(question);
        var answer = Console.ReadLine()?.Trim();
        return string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) || string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Tells a person what happened. Only when stderr is a terminal: scripts get silence on
    /// success and can treat any stderr output as a problem.
    /// </summary>
    public static void Inform(string message)
    {
        if (!Console.IsErrorRedirected) Console.Error.WriteLine(message);
    }
}
