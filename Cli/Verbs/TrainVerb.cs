using System.Globalization;
using System.Text.Json;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Models;
using IlgpuLstm.Engine.Sampling;
using IlgpuLstm.Engine.Training;

namespace IlgpuLstm.Cli.Verbs;

public static class TrainVerb
{
    public static int Run(TrainOptions o, TextWriter output)
    {
        using var device = ComputeDevice.Open(o.Accelerator);
        bool cpu = device.Description.Kind == AcceleratorKind.Cpu;
        var preset = o.Preset is null ? (cpu ? TrainPreset.CpuDefault : TrainPreset.Lesson)
            : TrainPreset.Find(o.Preset) ?? throw new EngineException($"unknown --preset '{o.Preset}' (known: lesson, cpu-default)");
        var (path, corpusName) = CorpusResolver.FromEnvironment().Resolve(o.Corpus);
        var text = TextFile.Read(path);

        LoadedModel? start = o.InitFrom is null ? null : ModelCheckpoint.Load(o.InitFrom);
        var vocabulary = start?.Vocabulary ?? Vocabulary.FromText(text);
        var modelConfig = start is null ? ModelFromFlags(o, preset, vocabulary) : ModelFromCheckpoint(o, start, output);
        var trainConfig = TrainFromFlags(o, preset);
        trainConfig.Validate();
        EncodedCorpus corpus;
        try
        {
            corpus = new EncodedCorpus(corpusName, text, vocabulary);
        }
        catch (EngineException e) when (start != null)
        {
            throw new EngineException($"cannot fine-tune {o.InitFrom} on this corpus: {e.Message}");
        }
        var (train, validation) = corpus.Split(trainConfig.ValFrac);
        // Checked before training, so a bad --prime is refused in seconds, not after the run.
        string prime = o.Prime ?? "The";
        if (o.SampleLength > 0)
        {
            if (o.Prime != null) vocabulary.Encode(prime, "the prime text");
            else if (prime.EnumerateRunes().Any(r => !vocabulary.Symbols.Contains(r.ToString())))
                prime = vocabulary.Decode(corpus.Ids[0]);
        }

        var dir = o.CheckpointDir ?? Path.Combine("checkpoints",
            $"{corpusName}-{modelConfig.Cell.ModuleName()}-{modelConfig.HiddenSize}x{modelConfig.NumLayers}");
        var plan = new CheckpointPlan(dir, new Dictionary<string, string>
        {
            ["corpus"] = corpusName,
            ["options"] = JsonSerializer.Serialize(new { preset = preset.Name, trainConfig, initFrom = o.InitFrom }),
            ["created"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        });

        using var model = new CharRnn(device, modelConfig);
        if (start != null) model.Store.Upload(start.Parameters);
        else model.Initialize(trainConfig.Seed);
        output.WriteLine($"device: {device.Description.Name} ({DeviceCatalog.Describe(device.Description.Kind)}); preset {preset.Name}");
        output.WriteLine($"corpus {corpusName}: {corpus.Characters:N0} characters, vocabulary {vocabulary.Count}; " +
            $"train {train.Length:N0}, validation {validation.Length:N0}");
        output.WriteLine($"model: {modelConfig.Cell.ModuleName()} {modelConfig.HiddenSize}x{modelConfig.NumLayers}, dropout " +
            $"{modelConfig.Dropout.ToString(CultureInfo.InvariantCulture)}, {model.Layout.Count:N0} parameters; batch " +
            $"{trainConfig.BatchSize} x seq {trainConfig.SeqLength}, {trainConfig.Optimizer.Kind} lr " +
            $"{trainConfig.Optimizer.LearningRate.ToString(CultureInfo.InvariantCulture)}, clip {trainConfig.GradClip.ToString(CultureInfo.InvariantCulture)}, " +
            $"{trainConfig.Epochs} epoch(s); checkpoints in {dir}");

        using var interrupts = new Interrupts();
        var trainer = new Trainer(model, trainConfig, vocabulary, plan, new ConsoleObserver(output));
        var outcome = trainer.Run(train, validation, interrupts.Token);
        output.WriteLine($"stopped ({outcome.Reason}) after {outcome.Steps} steps in epoch {outcome.Epoch}; " +
            $"best val loss {(outcome.BestValLoss?.ToString("F4", CultureInfo.InvariantCulture) ?? "n/a")}; latest: {plan.Latest}");
        if (outcome.Reason == StopReason.Interrupted) return ExitCodes.Interrupted;

        if (o.SampleLength > 0)
        {
            output.WriteLine("sample (top-k 5):");
            new Sampler(model, vocabulary).Sample(prime, new SamplingOptions(o.SampleLength, 5, 1.0, false, trainConfig.Seed),
                output.Write);
            output.WriteLine();
        }
        return ExitCodes.Success;
    }

    private static ModelConfig ModelFromFlags(TrainOptions o, TrainPreset p, Vocabulary vocabulary)
    {
        var config = new ModelConfig(ParseCell(o.Cell) ?? p.Cell, vocabulary.Count, o.HiddenSize ?? p.HiddenSize,
            o.NumLayers ?? p.NumLayers, (float)(o.Dropout ?? p.Dropout));
        config.Validate();
        return config;
    }

    /// <summary>char-rnn's -init_from: the architecture comes from the checkpoint; say which flags it overrode.</summary>
    private static ModelConfig ModelFromCheckpoint(TrainOptions o, LoadedModel start, TextWriter output)
    {
        var c = start.Config;
        void Note(bool differs, string flag, object value)
        {
            if (differs) output.WriteLine($"note: --{flag} ignored; using the checkpoint's {value}");
        }
        Note(ParseCell(o.Cell) is { } cell && cell != c.Cell, "cell", c.Cell.ModuleName());
        Note(o.HiddenSize is { } h && h != c.HiddenSize, "hidden-size", c.HiddenSize);
        Note(o.NumLayers is { } l && l != c.NumLayers, "num-layers", c.NumLayers);
        var config = o.Dropout is { } d ? c with { Dropout = (float)d } : c;
        config.Validate();
        return config;
    }

    private static TrainConfig TrainFromFlags(TrainOptions o, TrainPreset p)
    {
        var kind = o.Optimizer?.ToLowerInvariant() switch
        {
            null => p.Optimizer,
            "adam" => OptimizerKind.Adam,
            "sgd" => OptimizerKind.Sgd,
            "rmsprop" => OptimizerKind.RmsProp,
            _ => throw new EngineException($"unknown --optimizer '{o.Optimizer}' (known: adam, sgd, rmsprop)"),
        };
        var optimizer = new OptimizerSettings(kind, o.LearningRate ?? p.LearningRate, Momentum: o.Momentum ?? 0);
        return new TrainConfig(o.Epochs ?? p.Epochs, o.MaxSteps ?? 0, o.BatchSize ?? p.BatchSize, o.SeqLength ?? p.SeqLength,
            o.ValFrac ?? p.ValFrac, o.PrintEvery ?? p.PrintEvery, o.GradClip ?? p.GradClip, o.Seed,
            o.TimeLimit is null ? null : Duration.Parse(o.TimeLimit, "--time-limit"), optimizer, o.ValBatches ?? p.ValBatches);
    }

    private static CellKind? ParseCell(string? text) => text is null ? null
        : CellKindExtensions.TryParse(text, out var cell) ? cell
        : throw new EngineException($"unknown --cell '{text}' (known: lstm, gru, rnn)");

    private sealed class ConsoleObserver(TextWriter output) : ITrainingObserver
    {
        public void Report(TrainingReport r)
        {
            var val = r.ValLoss is { } v ? $"... Val Loss: {v.ToString("F4", CultureInfo.InvariantCulture)}" : "";
            output.WriteLine($"Epoch: {r.Epoch}/{r.Epochs}... Step: {r.Step}... Loss: {r.Loss.ToString("F4", CultureInfo.InvariantCulture)}" +
                $"{val}   ({r.TokensPerSecond.ToString("N0", CultureInfo.InvariantCulture)} tok/s, grad norm " +
                $"{r.GradNorm.ToString("F2", CultureInfo.InvariantCulture)}, {r.Elapsed:hh\\:mm\\:ss})");
        }

        public void Saved(string kind, string path)
        {
        }
    }
}
