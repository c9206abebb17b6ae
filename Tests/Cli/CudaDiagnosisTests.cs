using System.Diagnostics;
using IlgpuLstm.Cli;
using IlgpuLstm.Engine.Device;

namespace IlgpuLstm.Tests.Cli;

/// <summary>
/// Without a usable CUDA driver, <c>devices</c> and <c>--accelerator cuda</c> say why: no driver
/// library, one without the driver API's entry points, or one whose cuInit fails. The driver
/// library is replaced by stubs built with the C compiler, in child processes (the variable is read
/// by the loader of each process).
/// </summary>
public sealed class CudaDiagnosisTests : IDisposable
{
    private readonly TempDirectory dir = new();

    [SkippableFact]
    public void AMissingDriverLibraryIsNamed()
    {
        Skip.If(OperatingSystem.IsWindows(), "the stub path is a Linux shared object");
        string missing = Path.Combine(dir.Path, "nowhere", "libcuda.so.1");
        var devices = Run(missing, "devices");
        Assert.Equal(0, devices.Code);
        Assert.Contains($"no CUDA device: no CUDA driver library (tried {missing}): install the NVIDIA driver", devices.Out, StringComparison.Ordinal);
        var train = Run(missing, "train", "--accelerator", "cuda", "--max-steps", "1");
        Assert.Equal(ExitCodes.Error, train.Code);
        Assert.StartsWith($"error: no CUDA accelerator found: no CUDA driver library (tried {missing})", train.Err, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void ALibraryWithoutTheDriverApiIsNamed()
    {
        string stub = Stub("lacking", "int cuGetProcAddress(void) { return 0; }");
        var r = Run(stub, "train", "--accelerator", "cuda", "--max-steps", "1");
        Assert.Equal(ExitCodes.Error, r.Code);
        Assert.Contains($"the driver library {stub} has no cuInit: not NVIDIA's libcuda", r.Err, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void AFailingCuInitIsNamedWithItsErrorAndAdvice()
    {
        string stub = Stub("nodevice", "int cuInit(unsigned int flags) { return 100; }");
        var r = Run(stub, "devices");
        Assert.Equal(0, r.Code);
        Assert.Contains($"no CUDA device: cuInit failed in {stub} with error 100 (CUDA_ERROR_NO_DEVICE): the driver is installed but finds no GPU",
            r.Out, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void ADriverThatSeesNoDeviceSaysSo()
    {
        string stub = Stub("zero", """
            int cuInit(unsigned int flags) { return 0; }
            int cuDriverGetVersion(int* v) { *v = 12040; return 0; }
            int cuDeviceGetCount(int* n) { *n = 0; return 0; }
            """);
        var r = Run(stub, "train", "--accelerator", "cuda", "--max-steps", "1");
        Assert.Equal(ExitCodes.Error, r.Code);
        Assert.Contains($"CUDA driver 12.4 ({stub}) sees 0 devices: none to run on", r.Err, StringComparison.Ordinal);
    }

    /// <summary>A shared object from C source, or a skip naming what is missing.</summary>
    private string Stub(string name, string source)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the stubs are Linux shared objects");
        var c = dir.File(name + ".c");
        File.WriteAllText(c, source);
        var so = Path.Combine(dir.Path, $"lib{name}.so");
        try
        {
            using var cc = Process.Start(new ProcessStartInfo("cc", ["-shared", "-fPIC", "-o", so, c])
            {
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            string err = cc.StandardError.ReadToEnd();
            Assert.True(cc.WaitForExit(TimeSpan.FromMinutes(2)), "cc did not finish");
            Assert.True(cc.ExitCode == 0, err);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Skip.If(true, "no C compiler (cc) to build the stub driver libraries");
        }
        return so;
    }

    private static (int Code, string Out, string Err) Run(string library, params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ilgpu-lstm.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment[NativeLibraries.CudaLibraryVariable] = library;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"ilgpu-lstm {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose() => dir.Dispose();
}
