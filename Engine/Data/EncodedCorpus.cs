namespace IlgpuLstm.Engine.Data;

/// <summary>A corpus's text encoded with a vocabulary, split contiguously as the lesson does.</summary>
internal sealed class EncodedCorpus
{
    /// <summary>A text already in memory (small inputs and tests); files go through <see cref="CorpusReader"/>.</summary>
    public EncodedCorpus(string name, string text, Vocabulary vocabulary)
        : this(name, vocabulary, vocabulary.Encode(text, $"corpus '{name}'"), sha256: null)
    {
    }

    public EncodedCorpus(string name, Vocabulary vocabulary, TokenSequence ids, string? sha256)
    {
        Name = name;
        Vocabulary = vocabulary;
        Ids = ids;
        Sha256 = sha256;
    }

    public string Name { get; }
    public Vocabulary Vocabulary { get; }
    public TokenSequence Ids { get; }
    public int Characters => Ids.Length;

    /// <summary>The file's sha256 (lowercase hex), as read; null for a text given in memory.</summary>
    public string? Sha256 { get; }

    /// <summary>Training and validation ids: <c>val_idx = int(len * (1 - valFrac))</c>, the rest is validation.</summary>
    public (TokenSequence Train, TokenSequence Validation) Split(double valFrac)
    {
        if (!(valFrac >= 0 && valFrac < 1)) throw new OptionOutOfRangeException("ValFrac", $"ValFrac must be in [0, 1), got {valFrac}");
        int valIdx = (int)(Ids.Length * (1 - valFrac));
        return (Ids.Slice(0, valIdx), Ids.Slice(valIdx, Ids.Length - valIdx));
    }
}
