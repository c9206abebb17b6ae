namespace IlgpuLstm;

/// <summary>
/// A character-level training run: the corpus, the model's shape, the loop (<see cref="Training"/>)
/// and where checkpoints go. Start from a preset and change what you need:
/// <c>CharTrainingOptions.CpuDefault with { Corpus = "tinyshakespeare", RunDirectory = dir }</c>.
/// </summary>
public sealed record CharTrainingOptions
{
    /// <summary>
    /// A corpus name from the manifest (<c>anna</c>, <c>tinyshakespeare</c>) or the path of a UTF-8
    /// text file, read in one streaming pass. A name is looked for in the directories of the
    /// <c>ILGPU_LSTM_CORPORA</c> environment variable (':'-separated), then in the user cache
    /// (<c>~/.cache/ilgpu-lstm/corpora</c>), and only then downloaded from the URL the manifest gives
    /// (checked against its sha256). Offline, put <c>NAME.txt</c> in one of those directories, give
    /// the file's path, or give the text itself as <see cref="Text"/>. Ignored when <see cref="Text"/> is set.
    /// </summary>
    public string Corpus { get; init; } = "anna";

    /// <summary>
    /// A text in memory to train on instead of <see cref="Corpus"/> (<see cref="TrainingText.FromString"/>,
    /// <see cref="TrainingText.FromReader"/>, <see cref="TrainingText.FromStream"/>,
    /// <see cref="TrainingText.FromDocuments"/>). Checkpoints record it as <c>memory:NAME</c> with its
    /// sha256; to resume or evaluate on it, give it again (<see cref="ResumeOptions.Text"/>,
    /// <see cref="EvaluationOptions.Text"/>).
    /// </summary>
    public TrainingText? Text { get; init; }

    /// <summary>
    /// Where latest, best, resume and epoch checkpoints and <c>metrics.jsonl</c> go; null:
    /// <c>checkpoints/CORPUS-CELL-HIDDENxLAYERS</c> under the current directory. A directory that
    /// holds another run is refused unless <see cref="Overwrite"/> is set.
    /// </summary>
    public string? RunDirectory { get; init; }

    /// <summary>The recurrent cell (ignored with <see cref="InitFrom"/>: the checkpoint's architecture is used).</summary>
    public CellKind Cell { get; init; } = CellKind.Lstm;

    /// <summary>Units per recurrent layer (ignored with <see cref="InitFrom"/>).</summary>
    public int HiddenSize { get; init; } = 128;

    /// <summary>Recurrent layers (ignored with <see cref="InitFrom"/>).</summary>
    public int NumLayers { get; init; } = 2;

    /// <summary>Dropout after every recurrent layer, in [0, 1).</summary>
    public double Dropout { get; init; } = 0.2;

    /// <summary>The training loop's options.</summary>
    public TrainingOptions Training { get; init; } = TrainingOptions.CpuDefault;

    /// <summary>Start from this checkpoint's weights, architecture and vocabulary, with a fresh optimizer (char-rnn's -init_from).</summary>
    public string? InitFrom { get; init; }

    /// <summary>Replace the checkpoints of another run in <see cref="RunDirectory"/>.</summary>
    public bool Overwrite { get; init; }

    /// <summary>End-of-epoch checkpoints kept (<c>epochE_valLOSS.safetensors</c>, as char-rnn names them); 0: none.</summary>
    public int Keep { get; init; } = 3;

    /// <summary>The preset these options started from, recorded in the checkpoints' metadata.</summary>
    public string Preset { get; init; } = "cpu-default";

    /// <summary>
    /// The Udacity Anna Karenina lesson: 2 x 512 LSTM, dropout 0.5, batch 128, seq 100, Adam 1e-3,
    /// clip 5, 20 epochs (<see cref="TrainingOptions.Lesson"/>). Sized for a GPU.
    /// </summary>
    public static CharTrainingOptions Lesson { get; } = new()
    {
        HiddenSize = 512,
        Dropout = 0.5,
        Training = TrainingOptions.Lesson,
        Preset = "lesson",
    };

    /// <summary>Sized for a CPU: 2 x 128 LSTM, dropout 0.2 (<see cref="TrainingOptions.CpuDefault"/>): minutes on two cores.</summary>
    public static CharTrainingOptions CpuDefault { get; } = new();

    /// <summary>A preset by name (<c>lesson</c>, <c>cpu-default</c>), or null.</summary>
    public static CharTrainingOptions? FindPreset(string name) => name.ToLowerInvariant() switch
    {
        "lesson" => Lesson,
        "cpu-default" => CpuDefault,
        _ => null,
    };

    /// <summary>The directory a run of this shape trains into when <see cref="RunDirectory"/> is null.</summary>
    public static string DefaultRunDirectory(string corpusName, ModelConfig model) =>
        Path.Combine("checkpoints", $"{corpusName}-{model.Cell.ModuleName()}-{model.HiddenSize}x{model.NumLayers}");
}
