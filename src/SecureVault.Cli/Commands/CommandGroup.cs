using System.CommandLine;

namespace SecureVault.Cli.Commands;

/// <summary>
/// A command that only groups subcommands (<c>securevault audit verify</c>, ...). It has no
/// action of its own: run without a subcommand, it is a usage error (exit code 1).
/// </summary>
internal sealed class CommandGroup(string name, string description, params CliCommand[] commands)
{
    /// <summary>Builds the group with every subcommand.</summary>
    public Command Build()
    {
        var group = new Command(name, description);
        foreach (var command in commands) group.Add(command.Build());
        return group;
    }
}
