using System.Runtime.InteropServices;

namespace IlgpuLstm.Cli;

/// <summary>
/// Turns Ctrl+C (SIGINT) and SIGTERM into a cancellation the trainer checks between steps, so it
/// finishes the current step and saves before exiting with code 130. A second Ctrl+C is left to
/// the runtime and ends the process at once.
/// </summary>
public sealed class Interrupts : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private readonly PosixSignalRegistration? sigterm;
    private readonly PosixSignalRegistration? sigint;

    public Interrupts()
    {
        if (!OperatingSystem.IsWindows())
        {
            sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
            sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        }
    }

    public CancellationToken Token => source.Token;

    private void Handle(PosixSignalContext context)
    {
        if (source.IsCancellationRequested) return; // second signal: let the default action end the process
        context.Cancel = true;
        source.Cancel();
    }

    public void Dispose()
    {
        sigint?.Dispose();
        sigterm?.Dispose();
        source.Dispose();
    }
}
