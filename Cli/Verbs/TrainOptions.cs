using CommandLine;
using IlgpuLstm.Engine.Device;

namespace IlgpuLstm.Cli.Verbs;

/// <summary>
/// Flags of <c>train</c>. Values left unset come from the preset (<c>--preset</c>, else
/// <c>lesson</c> on a GPU and <c>cpu-default</c> on the CPU accelerator), so every explicit flag wins.
/// </summary>
[Verb("train", HelpText = "Train a character-level model on a corpus (the Anna Karenina lesson by default on a GPU).")]
public sealed class TrainOptions
{
    [Option("corpus", HelpText = "A corpus name from corpora/manifest.json (anna, tinyshakespeare) or a path to a UTF-8 text file (default anna).")]
    public string? Corpus { get; set; }

    [Option("resume", HelpText = "Continue the run whose checkpoint directory this is, exactly where it stopped.")]
    public string? Resume { get; set; }

    [Option("preset", HelpText = "lesson (2x512 LSTM, dropout 0.5, batch 128, seq 100, Adam 1e-3, clip 5, 20 epochs) or cpu-default.")]
    public string? Preset { get; set; }

    [Option("cell", HelpText = "lstm, gru or rnn.")]
    public string? Cell { get; set; }

    [Option("hidden-size", HelpText = "Units per recurrent layer.")]
    public int? HiddenSize { get; set; }

    [Option("num-layers", HelpText = "Recurrent layers.")]
    public int? NumLayers { get; set; }

    [Option("dropout", HelpText = "Dropout after every recurrent layer, in [0, 1).")]
    public double? Dropout { get; set; }

    [Option("batch-size", HelpText = "Sequences per batch (rows of get_batches).")]
    public int? BatchSize { get; set; }

    [Option("seq-length", HelpText = "Characters per sequence (truncated BPTT length).")]
    public int? SeqLength { get; set; }

    [Option("lr", HelpText = "Learning rate.")]
    public double? LearningRate { get; set; }

    [Option("optimizer", HelpText = "adam, sgd or rmsprop.")]
    public string? Optimizer { get; set; }

    [Option("momentum", HelpText = "SGD momentum.")]
    public double? Momentum { get; set; }

    [Option("grad-clip", HelpText = "Clip the global gradient L2 norm to this (0: off).")]
    public double? GradClip { get; set; }

    [Option("grad-clamp", HelpText = "Clamp every gradient element to +-this before the norm clip (char-rnn's grad_clip; 0: off).")]
    public double? GradClamp { get; set; }

    [Option("epochs", HelpText = "Passes over the training split.")]
    public int? Epochs { get; set; }

    [Option("max-steps", HelpText = "Stop after this many steps (0: no limit).")]
    public int? MaxSteps { get; set; }

    [Option("val-frac", HelpText = "Fraction at the end of the corpus used for validation.")]
    public double? ValFrac { get; set; }

    [Option("val-batches", HelpText = "Validation batches per evaluation (0: the whole split, as the lesson).")]
    public int? ValBatches { get; set; }

    [Option("patience", HelpText = "Stop early after this many validations without a new best validation loss (0: off).")]
    public int? Patience { get; set; }

    [Option("print-every", HelpText = "Validate, print and checkpoint every N steps.")]
    public int? PrintEvery { get; set; }

    [Option("seed", HelpText = "Seed of the initialisation, dropout masks and the final sample (default 1).")]
    public ulong? Seed { get; set; }

    [Option("accelerator", Default = AcceleratorKind.Auto, HelpText = AcceleratorNames.Help)]
    public AcceleratorKind Accelerator { get; set; }

    [Option("checkpoint-dir", HelpText = "Where latest/best/resume.safetensors go (default checkpoints/<corpus>-<cell>-<hidden>x<layers>; with --resume, that directory).")]
    public string? CheckpointDir { get; set; }

    [Option("init-from", HelpText = "Start from the weights of this checkpoint (new optimizer); its architecture and vocabulary are used.")]
    public string? InitFrom { get; set; }

    [Option("time-limit", HelpText = "Stop cleanly after this long (e.g. 90s, 10m, 1h30m).")]
    public string? TimeLimit { get; set; }

    [Option("log", HelpText = "Also append every report to this CSV file (step, epoch, loss, val_loss, grad_norm, tokens_per_s, seconds).")]
    public string? Log { get; set; }

    [Option("sample-length", Default = 200, HelpText = "Characters of sample printed at the end (0: none).")]
    public int SampleLength { get; set; }

    [Option("prime", HelpText = "Prime text of the final sample (default 'The', or the corpus's first character if that is not in its vocabulary).")]
    public string? Prime { get; set; }
}
