using System.Runtime.InteropServices;

namespace IlgpuLstm.Engine.Device;

/// <summary>
/// Why ILGPU sees no CUDA device, in one line. ILGPU swallows the driver's load and entry-point
/// errors and every failure while listing devices, so "no CUDA accelerator" could mean anything;
/// this asks the driver API itself, in the order ILGPU does: load the library, cuInit, the
/// driver's version (against the newest CUDA whose PTX ILGPU 1.5.3 knows), the device count.
/// </summary>
internal static class CudaProbe
{
    /// <summary>The newest CUDA version ILGPU 1.5.3's PTX ISA table lists (PTX ISA 8.8).</summary>
    public const int NewestKnownDriver = 12090;

    [UnmanagedFunctionPointer(CallingConvention.Winapi)]
    private delegate int Init(uint flags);

    [UnmanagedFunctionPointer(CallingConvention.Winapi)]
    private delegate int GetInt(out int value);

    /// <summary>What the driver says, e.g. "CUDA driver 12.4 sees 1 device", or why it cannot be used.</summary>
    public static string Diagnose()
    {
        var tried = NativeLibraries.CandidatesFor("cuda");
        IntPtr library = IntPtr.Zero;
        string? loaded = tried.FirstOrDefault(name => NativeLibrary.TryLoad(name, out library));
        if (loaded is null)
            return $"no CUDA driver library (tried {string.Join(", ", tried)}): install the NVIDIA driver, or use --accelerator opencl or cpu";
        try
        {
            T? Entry<T>(string name) where T : Delegate =>
                NativeLibrary.TryGetExport(library, name, out var address) ? Marshal.GetDelegateForFunctionPointer<T>(address) : null;
            string Missing(string name) => $"the driver library {loaded} has no {name}: not NVIDIA's libcuda, or an incomplete driver install";
            var init = Entry<Init>("cuInit");
            if (init is null) return Missing("cuInit");
            int status = init(0);
            if (status != 0) return $"cuInit failed in {loaded} with error {status} ({ErrorName(status)}){Advice(status)}";
            var version = Entry<GetInt>("cuDriverGetVersion");
            if (version is null) return Missing("cuDriverGetVersion");
            status = version(out int driver);
            if (status != 0) return $"cuDriverGetVersion failed in {loaded} with error {status} ({ErrorName(status)})";
            var count = Entry<GetInt>("cuDeviceGetCount");
            if (count is null) return Missing("cuDeviceGetCount");
            status = count(out int devices);
            if (status != 0) return $"cuDeviceGetCount failed in {loaded} with error {status} ({ErrorName(status)})";
            string text = $"CUDA driver {Version(driver)} ({loaded}) sees {devices} device{(devices == 1 ? "" : "s")}";
            if (devices == 0) return text + ": none to run on";
            if (driver > NewestKnownDriver)
                text += $"; it is newer than CUDA {Version(NewestKnownDriver)}, the newest whose PTX ILGPU 1.5.3 knows, which may be why ILGPU lists none " +
                    "(run with ILGPU_LSTM_DEBUG=1 for ILGPU's own messages)";
            return text;
        }
        finally
        {
            NativeLibrary.Free(library);
        }
    }

    private static string Version(int v) => $"{v / 1000}.{v % 1000 / 10}";

    /// <summary>The driver API's names for the errors a machine without a usable GPU returns.</summary>
    private static string ErrorName(int status) => status switch
    {
        1 => "CUDA_ERROR_INVALID_VALUE",
        2 => "CUDA_ERROR_OUT_OF_MEMORY",
        3 => "CUDA_ERROR_NOT_INITIALIZED",
        4 => "CUDA_ERROR_DEINITIALIZED",
        34 => "CUDA_ERROR_STUB_LIBRARY",
        35 => "CUDA_ERROR_INSUFFICIENT_DRIVER",
        46 => "CUDA_ERROR_DEVICES_UNAVAILABLE",
        100 => "CUDA_ERROR_NO_DEVICE",
        101 => "CUDA_ERROR_INVALID_DEVICE",
        803 => "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH",
        804 => "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE",
        999 => "CUDA_ERROR_UNKNOWN",
        _ => "see cuda.h",
    };

    private static string Advice(int status) => status switch
    {
        100 => ": the driver is installed but finds no GPU (in a container, is the GPU passed through?)",
        34 => ": this is the CUDA toolkit's stub library, not a driver; install the NVIDIA driver",
        35 or 803 => ": the kernel module and the user-space driver differ in version; reboot or reinstall the driver",
        _ => "",
    };
}
