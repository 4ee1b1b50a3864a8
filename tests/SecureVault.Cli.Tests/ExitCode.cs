namespace SecureVault.Cli.Tests;

/// <summary>The documented exit codes (docs/cli.md), restated here so a change of meaning fails a test.</summary>
public static class ExitCode
{
    public const int Usage = 1;
    public const int NotFound = 2;
    public const int Authentication = 3;
    public const int AccessDenied = 4;
    public const int Integrity = 5;
    public const int InvalidInput = 6;
    public const int AuditInvalid = 9;
    public const int RotationFailed = 10;
    public const int Interrupted = 130;
}
