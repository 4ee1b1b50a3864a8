using System.CommandLine;

namespace SecureVault.Cli.Commands;

/// <summary>
/// One subcommand: it declares its arguments and options and runs through
/// <see cref="ErrorReporter"/>, so every command reports failures and exit codes the same way.
/// </summary>
internal abstract class CliCommand(CommonOptions common)
{
    /// <summary>The options every command shares.</summary>
    protected CommonOptions Common { get; } = common;

    /// <summary>Builds the System.CommandLine definition of this command.</summary>
    public abstract Command Build();

    /// <summary>Runs the command; returns an exit code (failures are thrown and mapped by the caller).</summary>
    protected abstract int Execute(ParseResult parse);

    /// <summary>A command named <paramref name="name"/> with these arguments and options, wired to <see cref="Execute"/>.</summary>
    protected Command Define(string name, string description, params Symbol[] symbols)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument: command.Add(argument); break;
                case Option option: command.Add(option); break;
                default: throw new ArgumentException($"Unsupported symbol {symbol.GetType().Name}.", nameof(symbols));
            }
        }
        command.SetAction(parse => ErrorReporter.Run(() => Execute(parse)));
        return command;
    }

    /// <summary>The key-name argument that several commands take.</summary>
    protected static Argument<string> KeyNameArgument(string description) => new("name") { Description = description };
}
