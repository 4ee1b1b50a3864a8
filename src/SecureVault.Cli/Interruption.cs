using System.Runtime.InteropServices;

namespace SecureVault.Cli;

/// <summary>
/// Turns Ctrl+C (SIGINT) and SIGTERM into a <see cref="CancellationToken"/> for the long
/// commands (<c>rekey</c>, <c>rotate --command</c>), which stop at the next safe point (between
/// batches, between keys) instead of dying in the middle of one. A second signal is not
/// intercepted, so it ends the process at once; the vault's transactions keep that safe too.
/// </summary>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    /// <summary>Starts listening; dispose to restore the default handling.</summary>
    public Interruption()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>Cancelled once the first signal arrives.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>True once a signal asked the command to stop.</summary>
    public bool Requested => _source.IsCancellationRequested;

    private void OnSignal(PosixSignalContext context)
    {
        if (_source.IsCancellationRequested) return; // the second one: let the default action end the process
        context.Cancel = true;
        Console.Error.WriteLine($"securevault: {context.Signal} received: stopping at the next safe point (send it again to stop at once).");
        _source.Cancel();
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _source.Dispose();
    }
}
