using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using SecureVault.Cli.Commands;
using SecureVault.Cli.Commands.Audit;
using SecureVault.Cli.Commands.Rotation;

namespace SecureVault.Cli;

/// <summary>
/// The <c>securevault</c> command tree: parses the command line, reports usage errors as
/// one-line messages with exit code 1, and runs the chosen command.
/// </summary>
internal static class CliApplication
{
    /// <summary>Runs the tool with <paramref name="args"/>; returns the process exit code (see <see cref="ExitCodes"/>).</summary>
    public static int Run(string[] args)
    {
        var root = Build();
        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors) ErrorReporter.Report(error.Message, ExitCodes.Usage);
            return ErrorReporter.Report($"run '{HelpFor(parse.CommandResult)}' for usage.", ExitCodes.Usage);
        }
        // Commands catch and map their own failures; anything else is a bug and should surface as one.
        return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }

    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand Build()
    {
        var common = new CommonOptions();
        var root = new RootCommand(
            "securevault: encrypted secrets on the command line (the same vaults as the SecureVault PowerShell module). " +
            "Passwords come from a hidden prompt, --password-stdin or SECUREVAULT_PASSWORD_FILE; values from stdin or a prompt; never from arguments.");
        common.AddTo(root);
        CliCommand[] commands =
        [
            new InitCommand(common), new SetCommand(common), new GetCommand(common), new ListCommand(common),
            new RemoveCommand(common), new StatusCommand(common), new PasswdCommand(common),
            new RotateCommand(common), new HistoryCommand(common), new RestoreCommand(common), new RekeyCommand(common),
            new CheckCommand(common),
            new BackupCommand(common), new RestoreBackupCommand(common),
        ];
        foreach (var command in commands) root.Add(command.Build());
        root.Add(new CommandGroup("audit", "The audit trail: verify the chain, export its head, read the log and the alerts.",
            new AuditVerifyCommand(common), new AuditHeadCommand(common), new AuditLogCommand(common), new AuditAlertsCommand(common)).Build());
        root.Add(new CommandGroup("rotation", "Rotation policies, key status against them, and exemptions.",
            new RotationStatusCommand(common), new RotationPolicyCommand(common), new RotationExemptCommand(common),
            new RotationExemptionsCommand(common), new RotationUnexemptCommand(common)).Build());
        return root;
    }

    /// <summary>The help command for the command that failed to parse, subcommands included ("securevault audit log --help").</summary>
    private static string HelpFor(CommandResult failed)
    {
        var names = new List<string>();
        for (var result = failed; result.Parent is CommandResult parent; result = parent) names.Insert(0, result.Command.Name);
        return string.Join(' ', ["securevault", .. names, "--help"]);
    }
}
