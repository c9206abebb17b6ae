using System.Security.Cryptography;
using System.Text;

namespace IlgpuLstm.Engine.Data;

/// <summary>
/// Reads a corpus file in one streaming pass: checksum, strict UTF-8 decoding with Python's text
/// mode (a leading BOM dropped, CRLF and lone CR read as LF), the vocabulary and the token ids,
/// stored a byte each while there are at most 256 symbols and 16 bits after that. No string of the
/// whole text is ever made, so a corpus needs about one byte of memory per byte of file (two
/// beyond 256 symbols) and a gigabyte trains in a few.
/// </summary>
internal static class CorpusReader
{
    private const int ChunkBytes = 1 << 20;
    private const int NoId = -1;
    private const int CodePoints = 0x110000;

    /// <summary>The sha256 of <paramref name="path"/>'s bytes, as <see cref="Read(string, string, Vocabulary?)"/> computes it.</summary>
    public static string Sha256Of(string path)
    {
        using var stream = TextFile.Open(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// Reads <paramref name="path"/> (named <paramref name="name"/> in messages) with the vocabulary
    /// of a checkpoint, refusing characters outside it, or, when <paramref name="vocabulary"/> is
    /// null, with the vocabulary of its own distinct characters sorted by code point.
    /// </summary>
    public static EncodedCorpus Read(string path, string name, Vocabulary? vocabulary = null)
    {
        using var stream = TextFile.Open(path);
        return Read(stream, path, name, vocabulary);
    }

    /// <summary>
    /// <see cref="Read(string, string, Vocabulary?)"/> over UTF-8 bytes in memory (a text given to
    /// the library rather than a file); <paramref name="label"/> stands for the path in messages.
    /// The checksum is the one a file of these bytes would have.
    /// </summary>
    public static EncodedCorpus Read(byte[] utf8, string label, string name, Vocabulary? vocabulary = null)
    {
        using var stream = new MemoryStream(utf8, writable: false);
        return Read(stream, label, name, vocabulary);
    }

    private static EncodedCorpus Read(Stream stream, string path, string name, Vocabulary? vocabulary)
    {
        long fileLength = stream.Length;
        if (fileLength == 0) throw new EngineException($"corpus '{path}' is empty");
        if (fileLength > Array.MaxLength)
            throw new EngineException($"corpus '{path}' has {fileLength:N0} bytes, more than the {Array.MaxLength:N0} one corpus may hold; split it");
        var encoder = new IdEncoder((int)fileLength, vocabulary);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetDecoder();
        var bytes = new byte[ChunkBytes];
        var chars = new char[ChunkBytes + 2];
        long consumed = 0;
        bool first = true, afterCr = false;
        int highSurrogate = 0;
        while (true)
        {
            int read;
            try
            {
                read = stream.Read(bytes, 0, bytes.Length);
            }
            catch (IOException e)
            {
                throw new EngineException($"corpus '{path}' cannot be read: {e.Message}");
            }
            sha.AppendData(bytes, 0, read);
            int count;
            try
            {
                count = decoder.GetChars(bytes, 0, read, chars, 0, flush: read == 0);
            }
            catch (DecoderFallbackException e)
            {
                throw new EngineException($"corpus '{path}' is not valid UTF-8 (bad byte at offset {consumed + Math.Max(0, e.Index)}); " +
                    "convert it to UTF-8 first");
            }
            consumed += read;
            for (int i = 0; i < count; i++)
            {
                char c = chars[i];
                if (first)
                {
                    first = false;
                    if (c == '\uFEFF') continue;
                }
                if (highSurrogate != 0)
                {
                    encoder.Add(char.ConvertToUtf32((char)highSurrogate, c));
                    highSurrogate = 0;
                    continue;
                }
                if (char.IsHighSurrogate(c))
                {
                    highSurrogate = c;
                    continue;
                }
                if (c == '\n' && afterCr)
                {
                    afterCr = false;
                    continue;
                }
                afterCr = c == '\r';
                encoder.Add(afterCr ? '\n' : c);
            }
            if (read == 0) break;
        }
        var (ids, symbols) = encoder.Finish(path, name);
        return new EncodedCorpus(name, symbols, ids, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    /// <summary>Code points to ids, into a byte array widened to 16 bits at the 257th symbol.</summary>
    private sealed class IdEncoder
    {
        private readonly Vocabulary? vocabulary;
        private readonly int[] idOf = new int[CodePoints];
        private readonly List<int> seen = [];
        private readonly SortedSet<int> unknown = [];
        private byte[]? narrow;
        private ushort[]? wide;
        private int length;

        public IdEncoder(int capacity, Vocabulary? vocabulary)
        {
            this.vocabulary = vocabulary;
            Array.Fill(idOf, NoId);
            if (vocabulary != null)
                for (int i = 0; i < vocabulary.Count; i++)
                    idOf[Rune.GetRuneAt(vocabulary.Symbols[i], 0).Value] = i;
            if (vocabulary is { Count: > 256 }) wide = new ushort[capacity];
            else narrow = new byte[capacity];
        }

        public void Add(int codePoint)
        {
            int id = idOf[codePoint];
            if (id == NoId)
            {
                if (vocabulary != null)
                {
                    unknown.Add(codePoint);
                    return;
                }
                // Provisional ids in order of first appearance; renumbered by code point at the end.
                id = seen.Count;
                if (id == Vocabulary.MaxSize)
                    throw new EngineException($"the corpus has more than {Vocabulary.MaxSize:N0} distinct characters, " +
                        "more than a character model supports (is this character-level text?)");
                seen.Add(codePoint);
                idOf[codePoint] = id;
                if (id == 256) Widen();
            }
            if (narrow != null) narrow[length++] = (byte)id;
            else wide![length++] = (ushort)id;
        }

        private void Widen()
        {
            wide = new ushort[narrow!.Length];
            for (int i = 0; i < length; i++) wide[i] = narrow[i];
            narrow = null;
        }

        public (TokenSequence Ids, Vocabulary Vocabulary) Finish(string path, string name)
        {
            if (unknown.Count > 0)
                throw new EngineException($"corpus '{name}' has {unknown.Count} character(s) not in the model's vocabulary: " +
                    string.Join(" ", unknown.Take(20).Select(v => Vocabulary.Quote(new Rune(v).ToString()))) + (unknown.Count > 20 ? " ..." : ""));
            if (length == 0) throw new EngineException($"corpus '{path}' is empty");
            var symbols = vocabulary ?? Renumber();
            // Text of multi-byte characters (CJK: 3 bytes each) leaves most of the array unused: give it back.
            if (narrow != null && length < narrow.Length / 4 * 3) Array.Resize(ref narrow, length);
            if (wide != null && length < wide.Length / 4 * 3) Array.Resize(ref wide, length);
            return (narrow != null ? TokenSequence.Of(narrow, length) : TokenSequence.Of(wide!, length), symbols);
        }

        /// <summary>Ids from first appearance to code-point order (the vocabulary's), in place.</summary>
        private Vocabulary Renumber()
        {
            var order = seen.Select((codePoint, id) => (codePoint, id)).OrderBy(p => p.codePoint).ToList();
            var final = new int[order.Count];
            for (int i = 0; i < order.Count; i++) final[order[i].id] = i;
            if (narrow != null)
                for (int i = 0; i < length; i++) narrow[i] = (byte)final[narrow[i]];
            else
                for (int i = 0; i < length; i++) wide![i] = (ushort)final[wide[i]];
            return new Vocabulary(order.Select(p => new Rune(p.codePoint).ToString()).ToList());
        }
    }
}
