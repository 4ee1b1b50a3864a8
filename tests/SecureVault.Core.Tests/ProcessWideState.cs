namespace SecureVault.Tests;

/// <summary>
/// Tests that change state shared by the whole process (every session, environment variables)
/// run in this collection, alone, after the parallel ones, so they cannot disturb other tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideState
{
    public const string Name = "Process-wide state";
}
