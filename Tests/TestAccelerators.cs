using IlgpuLstm.Engine.Device;

namespace IlgpuLstm.Tests;

/// <summary>
/// The one list of accelerators the device tests run on, by their command-line names: ILGPU's CPU
/// accelerator (the GPU kernels, one OS thread per kernel thread) and the fast host path always;
/// OpenCL where ILGPU finds a device, or where <c>ILGPU_LSTM_REQUIRE_OPENCL=1</c> says it must
/// (.ci/with-opencl sets it: there a missing device fails those tests instead of dropping them).
/// </summary>
public static class TestAccelerators
{
    public const string IlgpuCpu = "ilgpu-cpu", Host = "cpu", OpenCL = "opencl";

    public const string RequireOpenClVariable = "ILGPU_LSTM_REQUIRE_OPENCL";

    private static readonly Lazy<string[]> Names = new(() =>
    {
        bool openCl = Environment.GetEnvironmentVariable(RequireOpenClVariable) == "1" || OpenClPresent();
        return openCl ? [IlgpuCpu, Host, OpenCL] : [IlgpuCpu, Host];
    });

    public static IReadOnlyList<string> All => Names.Value;

    public static TheoryData<string> Data
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in All) data.Add(name);
            return data;
        }
    }

    /// <summary>Every accelerator with every row of <paramref name="rows"/> (each row's values after the name).</summary>
    public static IEnumerable<object[]> With(params object[][] rows) =>
        All.SelectMany(name => rows.Select(row => new object[] { name }.Concat(row).ToArray()));

    public static AcceleratorKind Kind(string name) => name switch
    {
        IlgpuCpu => AcceleratorKind.IlgpuCpu,
        Host => AcceleratorKind.Cpu,
        OpenCL => AcceleratorKind.OpenCL,
        _ => throw new ArgumentException($"unknown test accelerator '{name}'", nameof(name)),
    };

    private static bool OpenClPresent()
    {
        using var context = DeviceCatalog.CreateContext();
        return DeviceCatalog.List(context).Any(d => d.Kind == AcceleratorKind.OpenCL);
    }
}
