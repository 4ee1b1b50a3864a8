using System.CommandLine;
using SecureVault.Cli.Input;
using SecureVault.Cli.Output;
using SecureVault.Rotation;
using SecureVault.Values;

namespace SecureVault.Cli.Commands;

/// <summary>
/// <c>securevault rotate</c>, in two forms.
/// <list type="bullet">
/// <item><c>rotate NAME</c>: writes a new value, read exactly as <c>set</c> reads it, as a new version
/// of an existing key (a rotation: it needs the rotate permission, works on a blocked key, and
/// never creates a key).</item>
/// <item><c>rotate [PATTERN] --command '...'</c>: a rotation run, for a scheduled job. Every key
/// matching PATTERN (default: all; with <c>--due</c> only those in their warning period, overdue
/// or blocked) is rotated with a new value made by the command (see <see cref="ValueGenerator"/>).
/// One line per key on stdout; a failing key is reported and the run goes on; exit code 10 when
/// any key failed.</item>
/// </list>
/// </summary>
internal sealed class RotateCommand(CommonOptions common) : CliCommand(common)
{
    private const string CommandOption = "--command";

    private readonly Argument<string?> _name = new("name")
    {
        Description = "The key to rotate. With --command: a name or wildcard pattern (* ? [a-z]) of the keys to rotate (default: all).",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<bool> _binary = new("--binary") { Description = "Store stdin's bytes exactly, as a byte array (as 'set --binary')." };

    private readonly Option<string?> _command = new(CommandOption)
    {
        Description = "Rotate with this program: it gets the current value on stdin and the key's name in " + ValueGenerator.KeyNameVariable +
            ", and prints the new value. Run directly, without a shell (quote words as in sh; for a pipeline use \"sh -c '...'\").",
        HelpName = "program and arguments",
    };

    private readonly Option<bool> _due = new("--due") { Description = "With --command: only keys due for rotation (warning period, overdue or blocked; not exempt)." };
    private readonly Option<bool> _whatIf = new("--what-if") { Description = "With --command: list the keys that would be rotated; rotate nothing and run no command." };
    private readonly Option<int> _timeout = new("--timeout")
    {
        Description = "With --command: seconds one run of the program may take before it is killed and its key fails.",
        HelpName = "seconds",
        DefaultValueFactory = _ => 60,
    };
    private readonly Option<bool> _json = new("--json") { Description = "With --command: one JSON object per key and line (JSON Lines)." };

    public override Command Build() => Define("rotate",
        "Rotate a key to a new value from stdin (or a prompt); with --command, rotate every matching (or --due) key with a program's output.",
        _name, _binary, _command, _due, _whatIf, _timeout, _json);

    protected override int Execute(ParseResult parse)
    {
        var commandLine = parse.GetValue(_command);
        if (commandLine is null)
        {
            foreach (var (given, option) in new[]
            {
                (parse.GetValue(_due), "--due"), (parse.GetValue(_whatIf), "--what-if"), (parse.GetValue(_json), "--json"),
                (parse.GetResult(_timeout) is { Implicit: false }, "--timeout"),
            })
            {
                if (given) throw new CliUsageException($"{option} belongs to a rotation run: add --command '<program and arguments>', or leave {option} out to rotate one key from stdin.");
            }
            return RotateOne(parse);
        }
        if (parse.GetValue(_binary)) throw new CliUsageException("--binary applies to a value read from stdin; with --command every key keeps its type (text or bytes).");
        int seconds = parse.GetValue(_timeout);
        if (seconds is < 1 or > 86_400) throw new CliUsageException("--timeout must be between 1 and 86400 seconds.");
        var generator = ValueGenerator.FromCommandLine(commandLine, TimeSpan.FromSeconds(seconds), CommandOption);
        return RotateRun(parse, generator);
    }

    private int RotateOne(ParseResult parse)
    {
        var name = parse.GetValue(_name)
            ?? throw new CliUsageException("name the key to rotate (its new value comes from stdin or a prompt), or give --command for a rotation run.");
        KeyNames.Validate(name);
        bool binary = parse.GetValue(_binary);
        var info = Common.Unlocked(parse, engine =>
        {
            using var value = ValueInput.Read(name, binary);
            return engine.UpdateKey(name, value);
        });
        Terminal.Inform($"Rotated '{info.Name}' to version {info.Version}.");
        return ExitCodes.Ok;
    }

    private int RotateRun(ParseResult parse, ValueGenerator generator)
    {
        var pattern = parse.GetValue(_name);
        bool due = parse.GetValue(_due), whatIf = parse.GetValue(_whatIf), json = parse.GetValue(_json);
        Func<VaultRotationStatus, bool>? confirm = whatIf ? _ => false : null;
        int rotated = 0, skipped = 0, failed = 0;
        using var interruption = new Interruption();
        try
        {
            Common.Unlocked(parse, engine =>
            {
                // Each result is written as it arrives, so a long run shows its progress and an
                // interrupted one has already reported every key it finished.
                foreach (var result in engine.RotateKeys(pattern, due, generator.Produce, confirm, cancellation: interruption.Token))
                {
                    switch (result.Outcome)
                    {
                        case RotationOutcome.Rotated: rotated++; break;
                        case RotationOutcome.Skipped: skipped++; break;
                        default: failed++; break;
                    }
                    if (json) WriteJson(result, whatIf);
                    else StandardOutput.WriteLine(Line(result, whatIf));
                }
                return 0;
            });
        }
        catch (OperationCanceledException) when (interruption.Requested)
        {
            return ErrorReporter.Report(
                $"rotation run interrupted: {rotated} key(s) rotated and {failed} failed before the signal, as listed; the other keys were not touched. " +
                "Run the command again for them (with --due, the keys already rotated are left out).", ExitCodes.Interrupted);
        }
        var total = rotated + skipped + failed;
        Terminal.Inform(whatIf
            ? $"What if: {skipped} key(s) would be rotated; nothing was changed."
            : $"{total} key(s): {rotated} rotated, {failed} failed{(skipped > 0 ? $", {skipped} skipped" : "")}.");
        return failed > 0 ? ExitCodes.RotationFailed : ExitCodes.Ok;
    }

    /// <summary>"name: rotated (Overdue): version 3 -> 4", "name: failed (Warning): the command exited with code 1".</summary>
    private static string Line(VaultRotationResult result, bool whatIf)
    {
        var head = $"{result.Name}: {Outcome(result, whatIf)} ({result.StateBefore})";
        return result.Outcome switch
        {
            RotationOutcome.Rotated => $"{head}: version {result.PreviousVersion} -> {result.NewVersion}",
            RotationOutcome.Skipped when whatIf => $"{head}: version {result.PreviousVersion} would be replaced",
            _ => $"{head}: {Reason(result, whatIf)}",
        };
    }

    /// <summary>
    /// Why a key failed. The engine words a failed value-maker generically (a PowerShell script's
    /// error text could hold a value); the command's own failure is worded by this tool and never
    /// holds one, so it is given as it is.
    /// </summary>
    private static string? Reason(VaultRotationResult result, bool whatIf) => result switch
    {
        { Outcome: RotationOutcome.Skipped } when whatIf => "--what-if: not rotated",
        { Error.InnerException: ValueGeneratorException generator } => $"{generator.Message}; nothing was changed",
        _ => result.Reason,
    };

    /// <summary>The outcome word; a key that --what-if declined "would rotate" rather than being "skipped" for a reason.</summary>
    private static string Outcome(VaultRotationResult result, bool whatIf) =>
        whatIf && result.Outcome == RotationOutcome.Skipped ? "would rotate" : result.Outcome.ToString().ToLowerInvariant();

    private static void WriteJson(VaultRotationResult result, bool whatIf) => JsonLine.Write(json =>
    {
        json.WriteString("name", result.Name);
        json.WriteString("outcome", result.Outcome.ToString());
        json.WriteBoolean("whatIf", whatIf);
        json.WriteString("stateBefore", result.StateBefore.ToString());
        json.WriteNumber("previousVersion", result.PreviousVersion);
        json.WriteNullable("newVersion", result.NewVersion);
        json.WriteNullable("reason", Reason(result, whatIf));
        json.WriteNullable("errorId", (result.Error as VaultException)?.ErrorId);
        json.WriteString("vault", result.Vault);
    });
}
