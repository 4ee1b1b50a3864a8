using System.ComponentModel;
using System.Diagnostics;
using SecureVault.Memory;
using SecureVault.Values;

namespace SecureVault.Cli.Input;

/// <summary>
/// The <c>--command</c> of <c>securevault rotate</c>: a program run once per key, directly (no
/// shell), that turns the key's current value into its new one.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>stdin: the current value as <c>get</c> prints it (text as UTF-8 plus "\n", bytes exactly); the program may ignore it.</item>
/// <item>environment: <see cref="KeyNameVariable"/> holds the key's name; <see cref="PasswordInput.FileVariable"/> is
/// removed, so the program never learns where the vault password is.</item>
/// <item>stdout: the new value. Text keys lose one trailing "\n" or "\r\n" and must get UTF-8; byte keys keep every byte.
/// At most 1 MiB. It is read straight into secure buffers, never into a string.</item>
/// <item>stderr: passed through to this tool's stderr, for the job's log (it is never captured or parsed).</item>
/// <item>A non-zero exit code, no output, or running longer than the timeout (the program is then killed) fails the key.</item>
/// </list>
/// </remarks>
internal sealed class ValueGenerator
{
    /// <summary>The environment variable that tells the program which key it is rotating.</summary>
    public const string KeyNameVariable = "SECUREVAULT_KEY_NAME";

    private readonly string _program;
    private readonly string[] _arguments;
    private readonly TimeSpan _timeout;

    private ValueGenerator(string program, string[] arguments, TimeSpan timeout)
    {
        _program = program;
        _arguments = arguments;
        _timeout = timeout;
    }

    /// <summary>The program the command line names, resolved now so that a typo fails before the vault is unlocked.</summary>
    public static ValueGenerator FromCommandLine(string commandLine, TimeSpan timeout, string option)
    {
        var words = CommandWords.Split(commandLine, option);
        return new ValueGenerator(ProgramPath.Resolve(words[0], option), words[1..], timeout);
    }

    /// <summary>Runs the program for key <paramref name="name"/>; the caller (the engine) disposes both values.</summary>
    public SecretValue Produce(string name, SecretValue current)
    {
        var (input, newline) = current switch
        {
            SecretText text => (text.Utf8, true),
            SecretBytes bytes => (bytes.Bytes, false),
            _ => throw new ValueGeneratorException(
                $"it holds a {current.Type} value, which the CLI cannot pass to a command; rotate it with Invoke-VaultRotation in PowerShell"),
        };

        var start = new ProcessStartInfo(_program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        foreach (var argument in _arguments) start.ArgumentList.Add(argument);
        start.Environment[KeyNameVariable] = name;
        start.Environment.Remove(PasswordInput.FileVariable);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new ValueGeneratorException($"'{_program}' did not start");
        }
        catch (Win32Exception e)
        {
            throw new ValueGeneratorException($"'{_program}' could not be started: {e.Message}");
        }

        using (process)
        {
            // A stuck program (waiting on a network, a prompt) must not hold the whole run: it is killed
            // and the key fails. Killing closes its stdout, which ends the read below.
            using var deadline = new CancellationTokenSource(_timeout);
            using var onDeadline = deadline.Token.Register(() => Kill(process));
            // Fed from another thread while stdout is read here: a program that writes before it has
            // read all its input would otherwise fill one pipe while this side blocks on the other.
            var feeding = Task.Run(() => Feed(process, input, newline));

            using var output = new SecureByteBuilder(4096);
            bool fits;
            using (var reader = new SecureStreamReader(process.StandardOutput.BaseStream))
            {
                // Two bytes of slack for the newline that text values drop; the engine enforces the exact limit.
                fits = reader.ReadToEnd(output, SecretCodec.MaxValueBytes + 2);
            }
            if (!fits) Kill(process);
            process.WaitForExit();
            feeding.GetAwaiter().GetResult();

            if (deadline.IsCancellationRequested)
                throw new ValueGeneratorException($"the command did not finish within {_timeout.TotalSeconds:0} s and was stopped");
            if (!fits) throw new ValueGeneratorException($"the command printed more than {SecretCodec.MaxValueBytes:N0} bytes (1 MiB), the largest value a key can hold");
            if (process.ExitCode != 0) throw new ValueGeneratorException($"the command exited with code {process.ExitCode}");
            if (newline) output.TrimOneNewline();
            if (output.Length == 0) throw new ValueGeneratorException("the command printed nothing");
            if (!newline) return new SecretBytes(output.ToBuffer());
            if (!SecureText.IsValidUtf8(output.Written)) throw new ValueGeneratorException("the command printed bytes that are not UTF-8 text, for a text key");
            // The stored type stays what it was (a SecureString key stays one for PowerShell).
            return new SecretText(output.ToBuffer(), isSecureString: current.Type == SecretValueType.SecureString);
        }
    }

    /// <summary>Writes the current value to the program's stdin, straight from its secure buffer, then closes it.</summary>
    private static void Feed(Process process, SecureBuffer value, bool newline)
    {
        var stdin = process.StandardInput;
        try
        {
            stdin.BaseStream.Write(value.ReadOnlySpan);
            if (newline) stdin.BaseStream.Write("\n"u8);
            stdin.BaseStream.Flush();
        }
        catch (IOException)
        {
            // The program exited or closed its stdin without reading it all (a generator such as
            // `openssl rand` ignores its input): its exit code and output decide, not this.
        }
        finally
        {
            try { stdin.Close(); }
            catch (IOException) { /* the same closed pipe */ }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had exited already.
        }
    }
}
