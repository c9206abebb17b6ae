using System.Text.Json;
using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Models;
using IlgpuLstm.Engine.Sampling;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm;

/// <summary>
/// A trained character model on a device: generates text and evaluates itself. Loads our
/// checkpoints and PyTorch exports of the lesson's model that carry a <c>vocab</c> entry.
/// Safe to call from many threads: calls on one device run one at a time (a generated stream
/// holds the device for one character at a time, so streams interleave), each with its own state,
/// and give what they give alone. After <see cref="Dispose"/>, or its device's, every call throws
/// <see cref="ObjectDisposedException"/>.
/// </summary>
public sealed class CharModel : IDisposable
{
    private readonly CharRnn model;
    private readonly LoadedModel loaded;
    private readonly Sampler sampler;
    private readonly ComputeDevice device;
    private bool disposed;

    private CharModel(ComputeDevice device, LoadedModel loaded, string path)
    {
        this.loaded = loaded;
        this.device = device;
        Path = path;
        lock (device.Gate)
        {
            device.ThrowIfDisposed();
            model = new CharRnn(device, loaded.Config);
            model.Store.Upload(loaded.Parameters);
        }
        sampler = new Sampler(model, loaded.Vocabulary, device.Gate, ThrowIfDisposed);
    }

    private void ThrowIfDisposed()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        device.ThrowIfDisposed();
    }

    /// <summary>Loads a <c>.safetensors</c> checkpoint onto <paramref name="device"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="checkpoint"/>.</exception>
    /// <exception cref="EngineException">The file is not a checkpoint of a character model (its message says why).</exception>
    /// <exception cref="ObjectDisposedException">The device was disposed.</exception>
    public static CharModel Load(string checkpoint, ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(device);
        return new CharModel(device, ModelCheckpoint.Load(checkpoint), checkpoint);
    }

    /// <summary>
    /// Loads a checkpoint from the bytes <paramref name="checkpoint"/> gives from its position to its
    /// end (a <c>.safetensors</c> file's, as <see cref="Save(Stream)"/> writes them; the stream is
    /// left open). <paramref name="name"/> stands for the file in messages and in <see cref="Path"/>.
    /// </summary>
    /// <exception cref="EngineException">The bytes are not a checkpoint of a character model (its message says why).</exception>
    /// <exception cref="ObjectDisposedException">The device was disposed.</exception>
    public static CharModel Load(Stream checkpoint, ComputeDevice device, string name = "stream")
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(name);
        using var copy = new MemoryStream();
        checkpoint.CopyTo(copy);
        return new CharModel(device, ModelCheckpoint.Load(copy.ToArray(), name), name);
    }

    /// <summary>Reads a checkpoint's architecture, vocabulary and metadata without a device, and without reading its weights.</summary>
    public static CheckpointInfo ReadInfo(string checkpoint)
    {
        var (config, vocabulary, metadata) = ModelCheckpoint.ReadHeader(checkpoint);
        return new CheckpointInfo(config, vocabulary.Symbols, metadata);
    }

    /// <summary>The checkpoint this was loaded from.</summary>
    public string Path { get; }

    /// <summary>The architecture.</summary>
    public ModelConfig Config => loaded.Config;

    /// <summary>The symbols (characters) in index order.</summary>
    public IReadOnlyList<string> Vocabulary => loaded.Vocabulary.Symbols;

    /// <summary>The checkpoint's metadata (corpus, step, losses, options).</summary>
    public IReadOnlyDictionary<string, string> Metadata => loaded.Metadata;

    /// <summary>Throws <see cref="EngineException"/> naming the first character of <paramref name="text"/> not in the vocabulary.</summary>
    public void CheckText(string text, string what = "the prime text") => loaded.Vocabulary.Encode(text, what);

    /// <summary>The ids of <paramref name="text"/>'s characters; throws <see cref="EngineException"/> naming one outside the vocabulary.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return loaded.Vocabulary.Encode(text, "the text");
    }

    /// <summary>The text of vocabulary ids; throws <see cref="ArgumentOutOfRangeException"/> for an id outside it.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new System.Text.StringBuilder();
        foreach (int id in ids)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(id, nameof(ids));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, loaded.Vocabulary.Count, nameof(ids));
            text.Append(loaded.Vocabulary.Decode(id));
        }
        return text.ToString();
    }

    /// <summary>
    /// The logits of the character after <paramref name="context"/> (fed from a zero state in eval
    /// mode, as sampling feeds its prime), one per vocabulary entry; the ONNX export gives the same.
    /// </summary>
    /// <exception cref="ArgumentException">The context is empty.</exception>
    /// <exception cref="EngineException">A character of the context is not in the vocabulary.</exception>
    /// <exception cref="ObjectDisposedException">The model or its device was disposed.</exception>
    public float[] NextLogits(string context)
    {
        var logits = Logits(Encode(NonEmpty(context)));
        return logits[^Config.VocabSize..];
    }

    /// <summary>The next character's logits for each context of a batch.</summary>
    public float[][] NextLogits(IReadOnlyList<string> contexts)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        return [.. contexts.Select(NextLogits)];
    }

    /// <summary>The next character's probabilities after <paramref name="context"/>: softmax(logits / temperature), in float64.</summary>
    public double[] NextProbabilities(string context, double temperature = 1)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "the temperature must be positive and finite");
        var logits = NextLogits(context);
        double max = logits.Max() / temperature;
        var p = logits.Select(l => Math.Exp(l / temperature - max)).ToArray();
        double total = p.Sum();
        for (int i = 0; i < p.Length; i++) p[i] /= total;
        return p;
    }

    /// <summary>
    /// The natural-log likelihood of <paramref name="text"/>: the sum over its characters after the
    /// first of log p(character | the ones before it), from a zero state. Divide by
    /// (length - 1) · ln 2 for bits per character.
    /// </summary>
    /// <exception cref="ArgumentException">The text is empty.</exception>
    /// <exception cref="EngineException">A character of the text is not in the vocabulary.</exception>
    /// <exception cref="ObjectDisposedException">The model or its device was disposed.</exception>
    public double LogLikelihood(string text)
    {
        var ids = Encode(NonEmpty(text));
        var logits = Logits(ids[..^1]);
        int v = Config.VocabSize;
        double sum = 0;
        for (int t = 0; t + 1 < ids.Length; t++)
        {
            var row = logits.AsSpan(t * v, v);
            double max = double.NegativeInfinity;
            foreach (float l in row) max = Math.Max(max, l);
            double total = 0;
            foreach (float l in row) total += Math.Exp(l - max);
            sum += row[ids[t + 1]] - max - Math.Log(total);
        }
        return sum;
    }

    private static string NonEmpty(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) throw new ArgumentException("the text is empty; give at least one character", nameof(text));
        return text;
    }

    /// <summary>Eval-mode logits for every position of <paramref name="ids"/> from a zero state, in chunks of up to 256 with the state carried.</summary>
    private float[] Logits(int[] ids)
    {
        const int Chunk = 256;
        int v = Config.VocabSize;
        var all = new float[(long)ids.Length * v];
        lock (device.Gate)
        {
            ThrowIfDisposed();
            using var state = model.CreateState(1);
            for (int start = 0; start < ids.Length; start += Chunk)
            {
                int n = Math.Min(Chunk, ids.Length - start);
                model.Prepare(1, n);
                model.SetBatch(ids[start..(start + n)], null);
                model.Forward(state, training: false, 0, 0);
                var chunk = new float[n * v];
                device.Ops.Download(model.Logits.SubView(0, (long)n * v), chunk);
                chunk.CopyTo(all, (long)start * v);
            }
        }
        return all;
    }

    /// <summary>
    /// The lesson's sample(): the prime fed from a zero state, then 1 + Length drawn characters.
    /// Returns the prime followed by them.
    /// </summary>
    /// <exception cref="OptionOutOfRangeException">A sampling option is out of its range.</exception>
    /// <exception cref="EngineException">The prime is empty or has a character outside the vocabulary.</exception>
    /// <exception cref="ObjectDisposedException">The model or its device was disposed.</exception>
    public string Generate(string prime, SamplingOptions? options = null) => string.Concat(GenerateStream(prime, options));

    /// <summary>
    /// <see cref="GenerateStream"/> as an async stream: each character is drawn on the thread pool, so
    /// a UI or server thread never waits on the device; <paramref name="cancellationToken"/> stops it
    /// between characters (<see cref="OperationCanceledException"/>).
    /// </summary>
    public async IAsyncEnumerable<string> GenerateAsync(string prime, SamplingOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var draws = GenerateStream(prime, options).GetEnumerator();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!await Task.Run(draws.MoveNext, cancellationToken).ConfigureAwait(false)) yield break;
            yield return draws.Current;
        }
    }

    /// <summary>The prime, then every drawn character as soon as it is drawn. Options and prime are checked at the call.</summary>
    /// <exception cref="OptionOutOfRangeException">A sampling option is out of its range.</exception>
    /// <exception cref="EngineException">The prime is empty or has a character outside the vocabulary.</exception>
    /// <exception cref="ObjectDisposedException">The model or its device was disposed.</exception>
    public IEnumerable<string> GenerateStream(string prime, SamplingOptions? options = null)
    {
        ThrowIfDisposed();
        return sampler.Stream(prime, options ?? new SamplingOptions());
    }

    /// <summary>
    /// The validation loss, as training measures it: eval mode, a zero state carried across the
    /// split's batches, the mean of batch means. Unset options take the values the model was
    /// trained with (from its metadata), so the figure matches training's validation loss.
    /// </summary>
    public EvaluationResult Evaluate(EvaluationOptions? options = null) => Evaluate(options, CancellationToken.None);

    /// <summary>
    /// <see cref="Evaluate(EvaluationOptions?)"/>, stopped between batches by <paramref name="cancellationToken"/>.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The model or its device was disposed.</exception>
    public EvaluationResult Evaluate(EvaluationOptions? options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        options ??= new EvaluationOptions();
        var trained = RunOptionsMetadata.Read(loaded.Metadata)?.TrainConfig;
        string trainedOn = loaded.Get("corpus") ?? "";
        if (options.Text is null && options.Corpus is null && trainedOn.Length == 0)
            throw new EngineException($"checkpoint '{Path}' does not say its corpus; give Corpus");
        if (options.Text is null && options.Corpus is null && CorpusSource.IsMemory(trainedOn))
            throw new EngineException($"checkpoint '{Path}' was trained on a text given in memory " +
                $"('{trainedOn[CorpusSource.MemoryPrefix.Length..]}'); give it again (EvaluationOptions.Text) or a file of it (Corpus)");
        double valFrac = options.ValFrac ?? (trained?.ValFrac is > 0 and < 1 ? trained.ValFrac : 0.1);
        int batchSize = options.BatchSize ?? trained?.BatchSize ?? 128;
        int seqLength = options.SeqLength ?? trained?.SeqLength ?? 100;
        int requested = options.Batches ?? trained?.ValBatches ?? 0;
        if (!(valFrac > 0 && valFrac < 1)) throw new OptionOutOfRangeException("ValFrac", $"ValFrac must be in (0, 1), got {valFrac}");
        if (requested < 0) throw new OptionOutOfRangeException("Batches", $"Batches must be 0 (all) or positive, got {requested}");
        var source = options.Text is { } given ? CorpusSource.Of(given) : CorpusSource.Of(options.Corpus ?? trainedOn);
        string name = source.Name;
        var corpus = source.Read(loaded.Vocabulary);
        var (_, validation) = corpus.Split(valFrac);
        var batches = new CharBatches(validation, batchSize, seqLength, "validation");
        double loss;
        lock (device.Gate)
        {
            ThrowIfDisposed();
            loss = Evaluator.MeanLoss(model, batches, maxBatches: requested, cancellationToken: cancellationToken);
        }
        int used = requested > 0 ? Math.Min(requested, batches.Count) : batches.Count;
        // Another file with the same text is still the corpus trained on; older checkpoints name it only by place.
        bool chosen = options.Corpus != null || options.Text != null;
        bool sameCorpus = !chosen || (loaded.Get("corpus_sha256") is { } sha
            ? sha == corpus.Sha256
            : options.Corpus is { } spec &&
              (CorpusManifest.Find(spec) is null ? System.IO.Path.GetFullPath(spec) == trainedOn : spec == trainedOn));
        return new EvaluationResult(name, loss, loss / Math.Log(2), used, batches.Count, requested, batchSize, seqLength, valFrac,
            FromTraining: trained != null && sameCorpus && options.BatchSize is null && options.SeqLength is null && options.ValFrac is null);
    }

    /// <summary>
    /// Writes the model as a checkpoint (safetensors, PyTorch's names, with its metadata), as
    /// training writes them. An existing file is refused unless <paramref name="overwrite"/>; the
    /// file appears whole or not at all.
    /// </summary>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public void Save(string path, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!overwrite && File.Exists(path)) throw new IOException($"'{path}' exists; choose another path, or pass overwrite: true");
        lock (device.Gate)
        {
            ThrowIfDisposed();
            ModelCheckpoint.Save(path, model, loaded.Vocabulary, SavedMetadata());
        }
    }

    /// <summary>
    /// Writes the checkpoint's bytes (the same as <see cref="Save(string, bool)"/> puts in a file) onto
    /// <paramref name="destination"/> at its position; the stream is left open.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The model or its device was disposed.</exception>
    public void Save(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        lock (device.Gate)
        {
            ThrowIfDisposed();
            ModelCheckpoint.Save(destination, model, loaded.Vocabulary, SavedMetadata());
        }
    }

    private Dictionary<string, string> SavedMetadata() =>
        loaded.Metadata.Where(m => m.Key != "format").ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);

    /// <summary>The loaded checkpoint (weights as loaded: a model never changes them), for the ONNX export.</summary>
    internal LoadedModel Loaded
    {
        get
        {
            ThrowIfDisposed();
            return loaded;
        }
    }

    /// <summary>Frees the model's device memory (after a call in progress on another thread finishes its step).</summary>
    public void Dispose() => device.Free(ref disposed, model);
}

/// <summary>A checkpoint's architecture, vocabulary and metadata.</summary>
/// <param name="Model">The architecture.</param>
/// <param name="Vocabulary">The symbols (characters) in index order.</param>
/// <param name="Metadata">Everything the checkpoint says of itself (corpus, its sha256, step, losses, options, format).</param>
public sealed record CheckpointInfo(ModelConfig Model, IReadOnlyList<string> Vocabulary, IReadOnlyDictionary<string, string> Metadata);
