namespace SecureVault.Cli.Input;

/// <summary>
/// The <c>--command</c> of a rotation run did not produce a new value for one key (it could not
/// start, failed, timed out, or printed nothing usable). The run reports the key as failed and goes
/// on; the message says what happened and never contains the command's output.
/// </summary>
internal sealed class ValueGeneratorException(string message) : Exception(message);
