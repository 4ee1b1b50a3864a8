namespace SecureVault.Cli;

/// <summary>
/// A command line that cannot work as given (exit code 1): the message says what to change.
/// Input the engine would refuse is a <see cref="VaultInvalidInputException"/> instead (exit code 6).
/// </summary>
internal sealed class CliUsageException(string message) : Exception(message);
