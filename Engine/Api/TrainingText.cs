using System.Text;

namespace IlgpuLstm;

/// <summary>
/// A training text held in memory, for <see cref="CharTrainingOptions.Text"/>: a string, what a
/// <see cref="TextReader"/> or a UTF-8 <see cref="Stream"/> gives, or a sequence of documents. It is
/// read exactly as a corpus file of the same UTF-8 bytes (a leading BOM dropped, CRLF and CR read
/// as LF), so a run on it gives a file's losses and checksum bit for bit. It needs about twice its
/// UTF-8 size in memory while training; for big data, train on a file (<see cref="CharTrainingOptions.Corpus"/>),
/// which is read in one streaming pass.
/// </summary>
public sealed class TrainingText
{
    private readonly byte[] utf8;

    private TrainingText(byte[] utf8, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (utf8.Length == 0) throw new ArgumentException($"the text '{name}' is empty", nameof(utf8));
        this.utf8 = utf8;
        Name = name;
    }

    /// <summary>The name that reports, messages and the default run directory use for this text.</summary>
    public string Name { get; }

    /// <summary>Its size in UTF-8 bytes.</summary>
    public long Utf8Bytes => utf8.Length;

    /// <summary>The text of a string.</summary>
    /// <exception cref="ArgumentException">The text is empty, or holds an unpaired surrogate (not text UTF-8 can carry).</exception>
    public static TrainingText FromString(string text, string name = "text")
    {
        ArgumentNullException.ThrowIfNull(text);
        return new TrainingText(StrictUtf8(text, name), name);
    }

    /// <summary>Everything <paramref name="reader"/> gives, read to its end now.</summary>
    /// <exception cref="ArgumentException">The text is empty, or holds an unpaired surrogate.</exception>
    public static TrainingText FromReader(TextReader reader, string name = "text")
    {
        ArgumentNullException.ThrowIfNull(reader);
        return FromString(reader.ReadToEnd(), name);
    }

    /// <summary>
    /// The UTF-8 bytes <paramref name="stream"/> gives from its position to its end, read now (the
    /// stream is left open). Invalid UTF-8 is refused when training reads it, with the byte's offset.
    /// </summary>
    /// <exception cref="ArgumentException">The stream is empty.</exception>
    public static TrainingText FromStream(Stream stream, string name = "text")
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return new TrainingText(copy.ToArray(), name);
    }

    /// <summary>
    /// Documents joined into one text with <paramref name="separator"/> between them (a blank line by
    /// default), as char-rnn trains on a concatenated file: the model learns the separator as the
    /// place where one document ends and the next begins.
    /// </summary>
    /// <exception cref="ArgumentException">No document, or only empty ones; a null document; an unpaired surrogate.</exception>
    public static TrainingText FromDocuments(IEnumerable<string> documents, string separator = "\n\n", string name = "documents")
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(separator);
        var joined = new StringBuilder();
        int count = 0;
        foreach (var document in documents)
        {
            if (document is null) throw new ArgumentException($"document {count} is null", nameof(documents));
            if (count++ > 0) joined.Append(separator);
            joined.Append(document);
        }
        return FromString(joined.ToString(), name);
    }

    /// <summary>The bytes, for the corpus reader (not copied: nothing writes to them).</summary>
    internal byte[] Utf8 => utf8;

    private static byte[] StrictUtf8(string text, string name)
    {
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetBytes(text);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"the text '{name}' has an unpaired surrogate at index {e.Index}; it is not text UTF-8 can carry", nameof(text));
        }
    }
}
