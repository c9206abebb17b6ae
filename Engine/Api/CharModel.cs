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
    public static CharModel Load(string checkpoint, ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return new CharModel(device, ModelCheckpoint.Load(checkpoint), checkpoint);
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

    /// <summary>
    /// The lesson's sample(): the prime fed from a zero state, then 1 + Length drawn characters.
    /// Returns the prime followed by them.
    /// </summary>
    public string Generate(string prime, SamplingOptions? options = null) => string.Concat(GenerateStream(prime, options));

    /// <summary>The prime, then every drawn character as soon as it is drawn. Options and prime are checked at the call.</summary>
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
    public EvaluationResult Evaluate(EvaluationOptions? options = null)
    {
        ThrowIfDisposed();
        options ??= new EvaluationOptions();
        var trained = RunOptionsMetadata.Read(loaded.Metadata)?.TrainConfig;
        string corpusSpec = options.Corpus ?? loaded.Get("corpus")
            ?? throw new EngineException($"checkpoint '{Path}' does not say its corpus; give Corpus");
        double valFrac = options.ValFrac ?? (trained?.ValFrac is > 0 and < 1 ? trained.ValFrac : 0.1);
        int batchSize = options.BatchSize ?? trained?.BatchSize ?? 128;
        int seqLength = options.SeqLength ?? trained?.SeqLength ?? 100;
        int requested = options.Batches ?? trained?.ValBatches ?? 0;
        if (!(valFrac > 0 && valFrac < 1)) throw new UsageException($"ValFrac must be in (0, 1), got {valFrac}");
        if (requested < 0) throw new UsageException($"Batches must be 0 (all) or positive, got {requested}");
        var (path, name) = CorpusResolver.FromEnvironment().Resolve(corpusSpec);
        var corpus = CorpusReader.Read(path, name, loaded.Vocabulary);
        var (_, validation) = corpus.Split(valFrac);
        var batches = new CharBatches(validation, batchSize, seqLength, "validation");
        double loss;
        lock (device.Gate)
        {
            ThrowIfDisposed();
            loss = Evaluator.MeanLoss(model, batches, maxBatches: requested);
        }
        int used = requested > 0 ? Math.Min(requested, batches.Count) : batches.Count;
        // Another file with the same text is still the corpus trained on; older checkpoints name it only by place.
        bool sameCorpus = options.Corpus is null || (loaded.Get("corpus_sha256") is { } sha
            ? sha == corpus.Sha256
            : CorpusManifest.Find(options.Corpus) is null ? System.IO.Path.GetFullPath(options.Corpus) == loaded.Get("corpus") : options.Corpus == loaded.Get("corpus"));
        return new EvaluationResult(name, loss, loss / Math.Log(2), used, batches.Count, requested, batchSize, seqLength, valFrac,
            FromTraining: trained != null && sameCorpus && options.BatchSize is null && options.SeqLength is null && options.ValFrac is null);
    }

    /// <summary>Frees the model's device memory (after a call in progress on another thread finishes its step).</summary>
    public void Dispose()
    {
        lock (device.Gate)
        {
            if (disposed) return;
            disposed = true;
            try
            {
                model.Dispose();
            }
            catch (ObjectDisposedException)
            {
                // The device went first and took the model's memory with it.
            }
        }
    }
}

/// <summary>A checkpoint's architecture, vocabulary and metadata.</summary>
public sealed record CheckpointInfo(ModelConfig Model, IReadOnlyList<string> Vocabulary, IReadOnlyDictionary<string, string> Metadata);
