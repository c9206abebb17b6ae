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
    /// Without a preset on ILGPU's CPU accelerator: small enough that a newcomer sees the loss fall
    /// within a minute (2 x 128, batch 32, seq 50), a higher learning rate and no dropout, as in char-rnn;
    /// validation every 50 steps over the first 20 batches of the split.
    /// </summary>
    public static TrainPreset CpuDefault { get; } = new("cpu-default", CellKind.Lstm, 128, 2, 0, 32, 50, 2e-3,
        OptimizerKind.Adam, 5, 1, 50, 0.1, 20);

    public static TrainPreset? Find(string name) => name.ToLowerInvariant() switch
    {
        "lesson" => Lesson,
        "cpu-default" => CpuDefault,
        _ => null,
    };
}
