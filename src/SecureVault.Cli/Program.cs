using SecureVault.Cli;
using SecureVault.Cli.Input;

// Entry point of `securevault`. Whatever happens, every session is locked (its keys zeroized)
// and the stdin read-ahead is cleared before the process ends.
try
{
    return CliApplication.Run(args);
}
finally
{
    SecureVault.VaultEngine.LockAll();
    StandardInput.Close();
}
