using System.Text;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Data;

namespace IlgpuLstm.Tests.Engine;

public sealed class DataTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    /// <summary>Rows sorted by token, in row order within a token, and each token's start (one-hot backward's index).</summary>
    /// <summary>Symbols as inspect prints them: control characters by code point only, so none acts on the terminal.</summary>
    [Theory]
    [InlineData("a", "'a'")]
    [InlineData("\n", "'\\n'")]
    [InlineData("\f", "U+000C")]
    [InlineData("\u001b", "U+001B")]
    [InlineData(" ", "' ' (U+0020)")]
    [InlineData("é", "'é' (U+00E9)")]
    public void SymbolsAreQuotedWithoutRawControlCharacters(string symbol, string quoted) =>
        Assert.Equal(quoted, Vocabulary.Quote(symbol));

    [Fact]
    public void TokenIndexSortsRowsByTokenKeepingRowOrder()
    {
        int[] tokens = [2, 0, 2, 3, 0, 2];
        var index = new int[TokenIndex.Length(tokens.Length, 5)];
        TokenIndex.Build(tokens, 5, index);
        Assert.Equal([1, 4, 0, 2, 5, 3], index[..6]);
        Assert.Equal([0, 2, 2, 5, 6, 6], index[6..]);
    }

    /// <summary>A corpus that is nowhere says every place it looked, and how to give the file instead.</summary>
    [Fact]
    public void AMissingCorpusNamesEveryPlaceSearched()
    {
        using var dirs = new TempDirectory();
        string missing = Path.Combine(dirs.Path, "missing-dir"), empty = dirs.Path;
        var resolver = new CorpusResolver($"{missing}:{empty}", Path.Combine(dirs.Path, "cache"),
            _ => throw new HttpRequestException("offline"));
        var e = Assert.Throws<EngineException>(() => resolver.Resolve("anna"));
        Assert.Contains(Path.Combine(missing, "anna.txt") + " (no directory", e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(empty, "anna.txt"), e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(dirs.Path, "cache", "anna.txt") + " (the cache)", e.Message, StringComparison.Ordinal);
        Assert.Contains("path as Corpus", e.Message, StringComparison.Ordinal);
        Assert.Contains("offline", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void BatchesFollowTheLessonIncludingTheLastWindowWrap()
    {
        // 23 characters at N=2, K=3: trimmed to 18, rows [0..8] and [9..17], three windows.
        var batches = new CharBatches(Enumerable.Range(0, 23).ToArray(), 2, 3, "test");
        Assert.Equal(3, batches.Count);
        Assert.Equal(5, batches.Dropped);
        var x = new int[6];
        var y = new int[6];
        batches.Fill(0, x, y);
        Assert.Equal([0, 1, 2, 9, 10, 11], x);
        Assert.Equal([1, 2, 3, 10, 11, 12], y);
        batches.Fill(2, x, y);
        Assert.Equal([6, 7, 8, 15, 16, 17], x);
        Assert.Equal([7, 8, 0, 16, 17, 9], y); // last column wraps to each row's own first character
    }

    [Fact]
    public void ASplitShorterThanOneBatchIsRefusedWithTheLengthNeeded()
    {
        var e = Assert.Throws<EngineException>(() => new CharBatches(new int[99], 10, 10, "validation"));
        Assert.Contains("99 characters", e.Message, StringComparison.Ordinal);
        Assert.Contains("= 100", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void AnnaMatchesTheLessonsCounts()
    {
        var path = AnnaPath();
        var text = TextFile.Read(path);
        Assert.Equal(1_985_223, text.Length);
        var vocabulary = Vocabulary.FromText(text);
        Assert.Equal(83, vocabulary.Count);
        var (train, validation) = new EncodedCorpus("anna", text, vocabulary).Split(0.1);
        var trainBatches = new CharBatches(train, 128, 100, "training");
        Assert.Equal(139, trainBatches.Count);
        Assert.Equal(7_500, trainBatches.Dropped);
        Assert.Equal(15, new CharBatches(validation, 128, 100, "validation").Count);
    }

    [Fact]
    public void TextIsReadWithUniversalNewlinesAndNoBom()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("a\r\nb\rc\n")).ToArray();
        Assert.Equal("a\nb\nc\n", TextFile.Decode(bytes, "x"));
    }

    [Fact]
    public void BadTextIsRefused()
    {
        Assert.Contains("not valid UTF-8", Assert.Throws<EngineException>(() => TextFile.Decode([0x61, 0xFF, 0x62], "x")).Message, StringComparison.Ordinal);
        Assert.Contains("is empty", Assert.Throws<EngineException>(() => TextFile.Decode([], "x")).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<FileNotFoundException>(() => TextFile.Read("/nonexistent/file.txt")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VocabularyIsSortedByCodePointAndHandlesSurrogatePairs()
    {
        var v = Vocabulary.FromText("ba😀a\n");
        Assert.Equal(["\n", "a", "b", "😀"], v.Symbols);
        Assert.Equal([2, 1, 3, 1, 0], v.Encode("ba😀a\n", "x"));
        var e = Assert.Throws<EngineException>(() => v.Encode("abz!", "the prime text"));
        Assert.Contains("'z'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'!'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AVocabularyBeyondSixteenBitIdsIsRefused()
    {
        // Beyond the BMP: 65,537 distinct code points from U+20000.
        var text = string.Concat(Enumerable.Range(0x20000, Vocabulary.MaxSize + 1).Select(c => new Rune(c).ToString()));
        Assert.Contains("more than the 65536", Assert.Throws<EngineException>(() => Vocabulary.FromText(text)).Message, StringComparison.Ordinal);
        var path = Path.Combine(dir.Path, "huge-vocabulary.txt");
        File.WriteAllText(path, text);
        Assert.Contains("more than 65,536 distinct characters",
            Assert.Throws<EngineException>(() => CorpusReader.Read(path, "huge")).Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The streaming reader gives what reading the whole text gives (ids, vocabulary, checksum),
    /// with a CRLF, a lone CR, a 3-byte character and an emoji straddling its 1 MiB chunks.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TheStreamingReaderMatchesTheWholeTextPath(int shift)
    {
        var builder = new StringBuilder("\uFEFF");
        string[] pieces = ["\r\n", "x\r", "中", "😀", "é"];
        var random = new Random(shift);
        // The BOM is 3 bytes; ASCII letters one each.
        for (int i = 3; i < (1 << 20) - 8 + shift; i++) builder.Append((char)('a' + random.Next(26)));
        foreach (var piece in pieces) builder.Append(piece).Append("b\r");
        builder.Append("tail\r\nend");
        var bytes = Encoding.UTF8.GetBytes(builder.ToString());
        var path = Path.Combine(dir.Path, $"chunks{shift}.txt");
        File.WriteAllBytes(path, bytes);

        var text = TextFile.Read(path);
        var vocabulary = Vocabulary.FromText(text);
        var corpus = CorpusReader.Read(path, "chunks");
        Assert.Equal(vocabulary.Symbols, corpus.Vocabulary.Symbols);
        Assert.Equal(vocabulary.Encode(text, "x"), corpus.Ids.ToArray());
        Assert.Equal(1, corpus.Ids.BytesPerId);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), corpus.Sha256);
        // With a checkpoint's vocabulary, the same ids.
        Assert.Equal(corpus.Ids.ToArray(), CorpusReader.Read(path, "chunks", vocabulary).Ids.ToArray());
    }

    [Fact]
    public void IdsWidenToSixteenBitsAtThe257thSymbolAndSlicesShareThem()
    {
        var text = string.Concat(Enumerable.Range(0, 3000).Select(i => (char)(0x4E00 + i * 7 % 300)));
        var path = Path.Combine(dir.Path, "wide.txt");
        File.WriteAllText(path, text);
        var corpus = CorpusReader.Read(path, "wide");
        Assert.Equal(300, corpus.Vocabulary.Count);
        Assert.Equal(2, corpus.Ids.BytesPerId);
        Assert.Equal(corpus.Vocabulary.Encode(text, "x"), corpus.Ids.ToArray());
        var (train, validation) = corpus.Split(0.1);
        Assert.Equal(2700, train.Length);
        Assert.Equal(corpus.Ids[2700], validation[0]);
        Assert.Equal(corpus.Ids.ToArray()[2700..], validation.ToArray());
    }

    [Fact]
    public void TheStreamingReaderRefusesWhatTheWholeTextPathRefuses()
    {
        var bad = Path.Combine(dir.Path, "bad.txt");
        File.WriteAllBytes(bad, [.. Enumerable.Repeat((byte)'a', (1 << 20) + 5), 0xFF, 0x62]);
        Assert.Contains($"not valid UTF-8 (bad byte at offset {(1 << 20) + 5})",
            Assert.Throws<EngineException>(() => CorpusReader.Read(bad, "bad")).Message, StringComparison.Ordinal);
        var empty = Path.Combine(dir.Path, "empty.txt");
        File.WriteAllBytes(empty, []);
        Assert.Contains("is empty", Assert.Throws<EngineException>(() => CorpusReader.Read(empty, "empty")).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<FileNotFoundException>(() => CorpusReader.Read("/nonexistent/file.txt", "x")).Message, StringComparison.Ordinal);
        var other = Path.Combine(dir.Path, "other.txt");
        File.WriteAllText(other, "abz!");
        var e = Assert.Throws<EngineException>(() => CorpusReader.Read(other, "other", Vocabulary.FromText("ab")));
        Assert.Equal("corpus 'other' has 2 character(s) not in the model's vocabulary: '!' 'z'", e.Message);
    }

    [Fact]
    public void CorpusNamesResolveThroughSearchPathThenCacheThenDownload()
    {
        using var dirs = new TempDirectory();
        var entry = CorpusManifest.Find("tinyshakespeare")!;
        var searchDir = Directory.CreateDirectory(Path.Combine(dirs.Path, "search")).FullName;
        var cache = Path.Combine(dirs.Path, "cache");
        byte[]? served = null;
        var resolver = new CorpusResolver(searchDir, cache, url =>
        {
            Assert.Equal(entry.Url, url);
            return served ?? throw new HttpRequestException("network unreachable");
        });
        var offline = Assert.Throws<EngineException>(() => resolver.Resolve("tinyshakespeare"));
        Assert.Contains(entry.Url, offline.Message, StringComparison.Ordinal);
        Assert.Contains(CorpusResolver.Variable, offline.Message, StringComparison.Ordinal);

        served = Encoding.UTF8.GetBytes("not the real file");
        Assert.Contains("sha256", Assert.Throws<EngineException>(() => resolver.Resolve("tinyshakespeare")).Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(searchDir, "tinyshakespeare.txt"), "tampered");
        var mismatch = Assert.Throws<EngineException>(() => resolver.Resolve("tinyshakespeare"));
        Assert.Contains("sha256", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("manifest", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("unknown corpus", Assert.Throws<EngineException>(() => resolver.Resolve("nosuchname")).Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void ADownloadedCorpusIsVerifiedAndCached()
    {
        var real = File.ReadAllBytes(AnnaPath());
        using var dirs = new TempDirectory();
        int downloads = 0;
        var resolver = new CorpusResolver(null, dirs.Path, _ => { downloads++; return real; });
        var (path, name) = resolver.Resolve("anna");
        Assert.Equal("anna", name);
        Assert.Equal(Path.Combine(dirs.Path, "anna.txt"), path);
        resolver.Resolve("anna");
        Assert.Equal(1, downloads);
    }

    /// <summary>The real corpus through ILGPU_LSTM_CORPORA (set by .ci/run); skipped where it is not set.</summary>
    public static string AnnaPath()
    {
        var search = Environment.GetEnvironmentVariable(CorpusResolver.Variable);
        Skip.If(string.IsNullOrEmpty(search), $"{CorpusResolver.Variable} is not set (set it to a directory holding anna.txt to run this test; .ci/run sets it)");
        return new CorpusResolver(search, Path.Combine(Path.GetTempPath(), "no-cache"), _ => throw new HttpRequestException("offline"))
            .Resolve("anna").Path;
    }
}
