namespace IlgpuLstm.Engine.Data;

/// <summary>A corpus's text encoded with a vocabulary, split contiguously as the lesson does.</summary>
public sealed class EncodedCorpus
{
    public EncodedCorpus(string name, string text, Vocabulary vocabulary)
    {
        Name = name;
        Vocabulary = vocabulary;
        Ids = vocabulary.Encode(text, $"corpus '{name}'");
        Characters = Ids.Length;
    }

    public string Name { get; }
    public Vocabulary Vocabulary { get; }
    public int[] Ids { get; }
    public int Characters { get; }

    /// <summary>Training and validation ids: <c>val_idx = int(len * (1 - valFrac))</c>, the rest is validation.</summary>
    public (int[] Train, int[] Validation) Split(double valFrac)
    {
        if (!(valFrac >= 0 && valFrac < 1)) throw new UsageException($"--val-frac must be in [0, 1), got {valFrac}");
        int valIdx = (int)(Ids.Length * (1 - valFrac));
        return (Ids[..valIdx], Ids[valIdx..]);
    }
}
