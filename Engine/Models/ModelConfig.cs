using IlgpuLstm.Engine.Layers;

namespace IlgpuLstm;

/// <summary>Shape of the character model: one-hot input, a recurrent stack, Linear to the vocabulary.</summary>
/// <param name="Cell">The recurrent cell.</param>
/// <param name="VocabSize">Characters in the vocabulary (one-hot input and output width).</param>
/// <param name="HiddenSize">Units per recurrent layer.</param>
/// <param name="NumLayers">Recurrent layers.</param>
/// <param name="Dropout">Dropout after every recurrent layer while training, in [0, 1).</param>
public sealed record ModelConfig(CellKind Cell, int VocabSize, int HiddenSize, int NumLayers, double Dropout)
{
    /// <summary>Throws <see cref="UsageException"/> naming the first property out of range.</summary>
    public void Validate()
    {
        if (VocabSize < 1) throw new EngineException($"vocabulary size must be at least 1, got {VocabSize}");
        if (HiddenSize < 1) throw new OptionOutOfRangeException("HiddenSize", $"HiddenSize must be at least 1, got {HiddenSize}");
        if (NumLayers < 1) throw new OptionOutOfRangeException("NumLayers", $"NumLayers must be at least 1, got {NumLayers}");
        if (!(Dropout >= 0 && Dropout < 1)) throw new OptionOutOfRangeException("Dropout", $"Dropout must be in [0, 1), got {Dropout}");
    }
}
