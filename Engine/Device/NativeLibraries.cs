using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace IlgpuLstm.Engine.Device;

/// <summary>
/// ILGPU P/Invokes <c>"cuda"</c> and <c>"OpenCL"</c>; .NET then probes <c>libcuda.so</c> and
/// <c>libOpenCL.so</c>, which exist only with the development symlinks. Driver-only machines
/// (most containers) have just the <c>.so.1</c> files, and ILGPU silently sees no GPU.
/// This resolver maps the two names to their <c>.so.1</c> sonames. It uses
/// <see cref="AssemblyLoadContext.ResolvingUnmanagedDll"/> because ILGPU sets its own
/// DllImportResolver on WSL and only one is allowed per assembly (docs/ILGPU-NOTES.md §4).
/// </summary>
internal static class NativeLibraries
{
    private static int installed;

    /// <summary>A driver library to use instead of the system's (a driver outside the loader's path; the tests' stubs).</summary>
    public const string CudaLibraryVariable = "ILGPU_LSTM_CUDA_LIBRARY";

    /// <summary>The library names ILGPU asks for and the sonames tried for each, in order.</summary>
    public static IReadOnlyList<string> CandidatesFor(string name) => name switch
    {
        "cuda" when Environment.GetEnvironmentVariable(CudaLibraryVariable) is { Length: > 0 } path => [path],
        "cuda" => OperatingSystem.IsWindows() ? ["nvcuda.dll"] : ["libcuda.so.1", "libcuda.so"],
        "OpenCL" => OperatingSystem.IsWindows() ? ["OpenCL.dll"] : ["libOpenCL.so.1", "libOpenCL.so"],
        _ => [],
    };

    /// <summary>Installs the resolver once per process; later calls do nothing.</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref installed, 1) == 0)
            AssemblyLoadContext.Default.ResolvingUnmanagedDll += Resolve;
    }

    /// <summary>The handler itself, public so tests can call it with any loader.</summary>
    public static IntPtr Resolve(Assembly assembly, string name) => Resolve(name, TryLoad);

    public static IntPtr Resolve(string name, TryLoadLibrary tryLoad)
    {
        foreach (var candidate in CandidatesFor(name))
            if (tryLoad(candidate, out var handle))
                return handle;
        return IntPtr.Zero;
    }

    public delegate bool TryLoadLibrary(string path, out IntPtr handle);

    private static bool TryLoad(string path, out IntPtr handle) => NativeLibrary.TryLoad(path, out handle);
}
