using CommandLine;

namespace IlgpuLstm.Cli.Verbs;

/// <summary>The <c>--accelerator</c> flag, declared once for every verb that runs on a device.</summary>
internal abstract class DeviceFlags
{
    [Option("accelerator", HelpText = Engine.Device.AcceleratorNames.Help)]
    public AcceleratorKind Accelerator { get; set; } = AcceleratorKind.Auto;
}

/// <summary><c>--accelerator</c> and <c>--seed</c>, for the verbs that draw random numbers.</summary>
internal abstract class SeededDeviceFlags : DeviceFlags
{
    /// <summary>The seed when <c>--seed</c> is not given, in every verb.</summary>
    public const ulong DefaultSeed = 1;

    [Option("seed", HelpText = "Seed of every random draw this verb makes (train: initialisation and dropout masks; sample: the draws; timeseries: initialisation): the same seed repeats the run (default 1).")]
    public ulong? Seed { get; set; }

    /// <summary>The given seed or the default.</summary>
    public ulong SeedOrDefault => Seed ?? DefaultSeed;
}
