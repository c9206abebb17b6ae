using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm.Cli;

/// <summary>
/// A named configuration of the train verb (nanoGPT's config files, as a typed record).
/// Explicit flags override it.
/// </summary>
public sealed record TrainPreset(string Name, CellKind Cell, int HiddenSize, int NumLayers, double Dropout,
    int BatchSize, int SeqLength, double LearningRate, OptimizerKind Optimizer, double GradClip, int Epochs,
    int PrintEvery, double ValFrac, int ValBatches)
{
    /// <summary>The Udacity Anna Karenina lesson: 2 x 512 LSTM, dropout 0.5, batch 128, seq 100, Adam 1e-3, clip 5, 20 epochs.</summary>
    public static TrainPreset Lesson { get; } = new("lesson", CellKind.Lstm, 512, 2, 0.5, 128, 100, 1e-3,
        OptimizerKind.Adam, 5, 20, 10, 0.1, 0);

    /// <summary>
    /// Without a preset on a CPU: 2 x 128, batch 32, seq 50, a higher learning rate and light dropout,
    /// 10 epochs (about 3 minutes on 2 cores with the host path; validation loss 2.0 after the
    /// first 18 s); validation every 50 steps over the first 20 batches of the split. The same
    /// settings as bench/vs-pytorch.sh's wall-clock race.
    /// </summary>
    public static TrainPreset CpuDefault { get; } = new("cpu-default", CellKind.Lstm, 128, 2, 0.2, 32, 50, 2e-3,
        OptimizerKind.Adam, 5, 10, 50, 0.1, 20);

    public static TrainPreset? Find(string name) => name.ToLowerInvariant() switch
    {
        "lesson" => Lesson,
        "cpu-default" => CpuDefault,
        _ => null,
    };
}
