using CommandLine;

namespace IlgpuLstm.Cli.Verbs;

/// <summary>
/// Flags of <c>train</c>. Values left unset come from the preset (<c>--preset</c>, else
/// <c>lesson</c> on a GPU and <c>cpu-default</c> on any CPU), so every explicit flag wins.
/// </summary>
[Verb("train", HelpText = "Train a character-level model on a corpus (the Anna Karenina lesson by default on a GPU).")]
internal sealed class TrainOptions : SeededDeviceFlags
{
    [Option("corpus", HelpText = "A corpus name from corpora/manifest.json (anna, tinyshakespeare) or a path to a UTF-8 text file (default anna). With --resume: where the run's corpus is now, if it moved (same content).")]
    public string? Corpus { get; set; }

    [Option("resume", HelpText = "Continue the run whose checkpoint directory this is, exactly where it stopped.")]
    public string? Resume { get; set; }

    [Option("preset", HelpText = "lesson (2x512 LSTM, dropout 0.5, batch 128, seq 100, Adam 1e-3, clip 5, 20 epochs) or cpu-default.")]
    public string? Preset { get; set; }

    [Option("cell", HelpText = "lstm, gru or rnn (default lstm).")]
    public string? Cell { get; set; }

    [Option("hidden-size", HelpText = "Units per recurrent layer (default 512 lesson, 128 cpu-default).")]
    public int? HiddenSize { get; set; }

    [Option("num-layers", HelpText = "Recurrent layers (default 2).")]
    public int? NumLayers { get; set; }

    [Option("dropout", HelpText = "Dropout after every recurrent layer, in [0, 1) (default 0.5 lesson, 0.2 cpu-default).")]
    public double? Dropout { get; set; }

    [Option("batch-size", HelpText = "Sequences per batch, rows of get_batches (default 128 lesson, 32 cpu-default).")]
    public int? BatchSize { get; set; }

    [Option("seq-length", HelpText = "Characters per sequence, the truncated BPTT length (default 100 lesson, 50 cpu-default).")]
    public int? SeqLength { get; set; }

    [Option("lr", HelpText = "Learning rate (default 0.001 lesson, 0.002 cpu-default).")]
    public double? LearningRate { get; set; }

    [Option("optimizer", HelpText = "adam, sgd or rmsprop (default adam).")]
    public string? Optimizer { get; set; }

    [Option("momentum", HelpText = "SGD momentum (default 0).")]
    public double? Momentum { get; set; }

    [Option("weight-decay", HelpText = "L2 penalty added to every gradient, as PyTorch's optimizers' weight_decay (default 0).")]
    public double? WeightDecay { get; set; }

    [Option("grad-clip", HelpText = "Clip the global gradient L2 norm to this (0: off; default 5).")]
    public double? GradClip { get; set; }

    [Option("grad-clamp", HelpText = "Clamp every gradient element to +-this before the norm clip (char-rnn's grad_clip; default 0: off).")]
    public double? GradClamp { get; set; }

    [Option("epochs", HelpText = "Passes over the training split (default 20 lesson, 10 cpu-default).")]
    public int? Epochs { get; set; }

    [Option("max-steps", HelpText = "Stop once the run has made this many steps in all, counting those before a --resume (default 0: no limit).")]
    public int? MaxSteps { get; set; }

    [Option("val-frac", HelpText = "Fraction at the end of the corpus used for validation (default 0.1).")]
    public double? ValFrac { get; set; }

    [Option("val-batches", HelpText = "Validation batches per evaluation (0: the whole split, as the lesson; default 0 lesson, 20 cpu-default).")]
    public int? ValBatches { get; set; }

    [Option("patience", HelpText = "Stop early after this many validations without a new best validation loss (default 0: off).")]
    public int? Patience { get; set; }

    [Option("print-every", HelpText = "Print a progress line every N steps (default 10 lesson, 50 cpu-default).")]
    public int? PrintEvery { get; set; }

    [Option("val-every", HelpText = "Validate every N steps and at each kept epoch end (default 100 lesson; cpu-default: with every print).")]
    public int? ValEvery { get; set; }

    [Option("save-every", HelpText = "Write latest and resume checkpoints every N steps (default: with every validation; a new best is always written).")]
    public int? SaveEvery { get; set; }

    [Option("checkpoint-dir", HelpText = "Where latest/best/resume.safetensors go (default checkpoints/<corpus>-<cell>-<hidden>x<layers>; with --resume, that directory).")]
    public string? RunDirectory { get; set; }

    [Option("init-from", HelpText = "Start from the weights of this checkpoint (new optimizer); its architecture and vocabulary are used.")]
    public string? InitFrom { get; set; }

    [Option("time-limit", HelpText = "Stop cleanly after this long (e.g. 90s, 10m, 1h30m).")]
    public string? TimeLimit { get; set; }

    [Option("log", HelpText = "Also append every report to this CSV file (step, epoch, loss, val_loss, grad_norm, tokens_per_s, seconds).")]
    public string? Log { get; set; }

    [Option("lr-decay", HelpText = "char-rnn's schedule: multiply the learning rate by this at the end of every epoch from --decay-after on (default 1: constant).")]
    public double? LrDecay { get; set; }

    [Option("decay-after", HelpText = "The epoch from whose end --lr-decay applies (default 10).")]
    public int? DecayAfter { get; set; }

    [Option("overwrite", HelpText = "Train into a checkpoint directory that holds another run, replacing its checkpoints.")]
    public bool Overwrite { get; set; }

    [Option("keep", HelpText = "Keep the last N end-of-epoch checkpoints, named epochE_valLOSS.safetensors as char-rnn names them (default 3; 0: none).")]
    public int? Keep { get; set; }

    [Option("sample-length", HelpText = "Characters of sample printed at the end (0: none) (default 200).")]
    public int SampleLength { get; set; } = 200;

    [Option("prime", HelpText = "Prime text of the final sample (default 'The', or the vocabulary's first letter if 'The' is not in it).")]
    public string? Prime { get; set; }
}
