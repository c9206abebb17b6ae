using System.Runtime.InteropServices;

namespace IlgpuLstm.Cli;

/// <summary>
/// Turns Ctrl+C (SIGINT) and SIGTERM into a cancellation the trainer checks between steps, so it
/// finishes the current step and saves before exiting with code 130. The first signal says so at
/// once (a lesson-sized step takes seconds on a CPU); a second one says what is kept on disk and
/// lets the runtime end the process without saving.
/// </summary>
/// <param name="messages">Where the two lines go (stderr: they must not mix with piped output).</param>
/// <param name="kept">What is on disk right now, for the second signal's line.</param>
internal sealed class Interrupts(TextWriter messages, Func<string> kept) : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private PosixSignalRegistration? sigterm, sigint;

    /// <summary>Starts listening; until then a signal has its default effect.</summary>
    public Interrupts Listen()
    {
        if (!OperatingSystem.IsWindows())
        {
            sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
            sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        }
        return this;
    }

    public CancellationToken Token => source.Token;

    private void Handle(PosixSignalContext context)
    {
        if (source.IsCancellationRequested)
        {
            // Second signal: the default action ends the process (exit 130) once this returns.
            messages.WriteLine($"quitting without saving the current step; {kept()}");
            messages.Flush();
            return;
        }
        context.Cancel = true;
        messages.WriteLine("stopping after this step; saving... (press Ctrl+C again to quit without saving)");
        messages.Flush();
        source.Cancel();
    }

    public void Dispose()
    {
        sigint?.Dispose();
        sigterm?.Dispose();
        source.Dispose();
    }
}
