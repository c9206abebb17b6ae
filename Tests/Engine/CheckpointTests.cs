using System.Buffers.Binary;
using System.Text;
using IlgpuLstm.Engine;
using IlgpuLstm.Engine.Checkpoints;
using IlgpuLstm.Engine.Data;
using IlgpuLstm.Engine.Device;
using IlgpuLstm.Engine.Layers;
using IlgpuLstm.Engine.Models;

namespace IlgpuLstm.Tests.Engine;

[Collection(DeviceCollection.Name)]
public sealed class CheckpointTests(CpuDeviceFixture fixture) : IDisposable
{
    private readonly ComputeDevice device = fixture.Device;
    private readonly TempDirectory dir = new();

    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    [InlineData(CellKind.Rnn)]
    public void RoundTripKeepsArchitectureVocabularyAndWeights(CellKind cell)
    {
        var vocabulary = Vocabulary.FromText("hello, wörld 😀\n");
        using var model = new CharRnn(device, new ModelConfig(cell, vocabulary.Count, 7, 2, 0.25f));
        model.Initialize(5);
        var path = dir.File("m.safetensors");
        ModelCheckpoint.Save(path, model, vocabulary, new Dictionary<string, string> { ["step"] = "12" });
        var loaded = ModelCheckpoint.Load(path);
        Assert.Equal(model.Config, loaded.Config);
        Assert.Equal(vocabulary.Symbols, loaded.Vocabulary.Symbols);
        Assert.Equal(model.Store.Download(), loaded.Parameters);
        Assert.Equal("12", loaded.Get("step"));
        var file = SafetensorsFile.Open(path);
        string m = cell.ModuleName();
        int g = cell.Gates() * 7;
        Assert.Equal([g, vocabulary.Count], file.Tensors[$"{m}.weight_ih_l0"].Shape);
        Assert.Equal([g, 7], file.Tensors[$"{m}.weight_hh_l1"].Shape);
        Assert.Equal([vocabulary.Count, 7], file.Tensors["fc.weight"].Shape);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    public static TheoryData<string, string> Corruptions => new()
    {
        { "empty", "is empty" },
        { "short", "shorter than the 8-byte header" },
        { "header-beyond-file", "is not a safetensors file" },
        { "zip", "zip archive, as torch.save writes" },
        { "text", "starts like a text file" },
        { "not-json", "not valid JSON" },
        { "offsets-out-of-range", "past the" },
        { "overlap", "overlap" },
        { "wrong-dtype", "only F32" },
        { "size-mismatch", "need" },
        { "truncated", "past the" },
        { "no-vocab", "no 'vocab'" },
        { "bad-vocab", "malformed 'vocab'" },
        { "cell-mismatch", "says cell 'gru'" },
        { "wrong-shape", "expected" },
        { "missing-tensor", "missing" },
        { "future-format", "this version reads" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void BadCheckpointsAreRefusedWithAReason(string corruption, string expected)
    {
        var path = dir.File(corruption + ".safetensors");
        File.WriteAllBytes(path, Corrupt(corruption));
        var e = Assert.Throws<EngineException>(() => ModelCheckpoint.Load(path));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>What common exporters write ("format": "pt") is read like any PyTorch export: by names, shapes and vocabulary.</summary>
    [Fact]
    public void AForeignFormatValueIsReadAsAPyTorchExport()
    {
        var path = dir.File("pt.safetensors");
        File.WriteAllBytes(path, Corrupt("foreign-format"));
        var loaded = ModelCheckpoint.Load(path);
        Assert.Equal(new ModelConfig(CellKind.Lstm, 3, 2, 1, 0f) with { Dropout = loaded.Config.Dropout }, loaded.Config);
        Assert.Equal(["a", "b", "c"], loaded.Vocabulary.Symbols);
    }

    [Fact]
    public void AMissingCheckpointIsRefused() =>
        Assert.Contains("does not exist", Assert.Throws<FileNotFoundException>(() => ModelCheckpoint.Load(dir.File("none.safetensors"))).Message,
            StringComparison.Ordinal);

    /// <summary>Thousands of randomly corrupted files: every one loads or is refused, never anything else.</summary>
    [Fact]
    public void FuzzedCheckpointsNeverThrowAnythingButEngineException()
    {
        var good = Valid(out _);
        var random = new Random(1);
        var path = dir.File("fuzz.safetensors");
        for (int i = 0; i < 3000; i++)
        {
            var bytes = (byte[])good.Clone();
            switch (i % 4)
            {
                case 0: // flip bytes anywhere
                    for (int f = 0; f < 1 + random.Next(8); f++) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    break;
                case 1: // flip bytes inside the header, where the structure is
                    int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
                    for (int f = 0; f < 1 + random.Next(4); f++) bytes[8 + random.Next(headerEnd - 8)] = (byte)random.Next(32, 127);
                    break;
                case 2: // truncate
                    bytes = bytes[..random.Next(bytes.Length)];
                    break;
                default: // a random header length
                    BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)random.NextInt64());
                    break;
            }
            File.WriteAllBytes(path, bytes);
            try
            {
                ModelCheckpoint.Load(path);
            }
            catch (EngineException)
            {
            }
        }
    }

    private byte[] Valid(out string headerJson)
    {
        var vocabulary = Vocabulary.FromText("abc");
        using var model = new CharRnn(device, new ModelConfig(CellKind.Lstm, 3, 2, 1, 0f));
        model.Initialize(1);
        var path = dir.File("valid.safetensors");
        ModelCheckpoint.Save(path, model, vocabulary, new Dictionary<string, string>());
        var bytes = File.ReadAllBytes(path);
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        headerJson = Encoding.UTF8.GetString(bytes, 8, length);
        return bytes;
    }

    /// <summary>A valid file with its header replaced (re-padded) and the data kept.</summary>
    private byte[] WithHeader(Func<string, string> edit, int dataTrim = 0)
    {
        var bytes = Valid(out var json);
        int oldLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var data = bytes[(8 + oldLength)..];
        var header = Encoding.UTF8.GetBytes(edit(json.TrimEnd()));
        var result = new byte[8 + header.Length + data.Length - dataTrim];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)header.Length);
        header.CopyTo(result, 8);
        data.AsSpan(0, data.Length - dataTrim).CopyTo(result.AsSpan(8 + header.Length));
        return result;
    }

    private byte[] Corrupt(string kind) => kind switch
    {
        "empty" => [],
        "short" => [1, 2, 3],
        "header-beyond-file" => WithLength(Valid(out _), 1_000_000),
        "not-json" => WithHeader(_ => "{not json"),
        "offsets-out-of-range" => WithHeader(j => j.Replace("\"fc.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[", "\"fc.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[100000,").Replace("[100000,", "[100000,100012],\"x\":[", StringComparison.Ordinal)),
        "overlap" => WithHeader(j => Regex(j, "\"fc.bias\":\\{\"dtype\":\"F32\",\"shape\":\\[3\\],\"data_offsets\":\\[\\d+,\\d+\\]", "\"fc.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]")),
        "wrong-dtype" => WithHeader(j => Regex(j, "\"fc.bias\":\\{\"dtype\":\"F32\",\"shape\":\\[3\\]", "\"fc.bias\":{\"dtype\":\"I32\",\"shape\":[3]")),
        "size-mismatch" => WithHeader(j => Regex(j, "\"fc.bias\":\\{\"dtype\":\"F32\",\"shape\":\\[3\\]", "\"fc.bias\":{\"dtype\":\"F32\",\"shape\":[4]")),
        "truncated" => Valid(out _)[..^4],
        "no-vocab" => WithHeader(j => Regex(j, "\"vocab\":\"[^\"]*(\\\\\"[^\"]*)*\",", "")),
        "bad-vocab" => WithHeader(j => Regex(j, "\"vocab\":\"\\[[^\\]]*\\]\"", "\"vocab\":\"[1,2\"")),
        "cell-mismatch" => WithHeader(j => j.Replace("\"cell\":\"lstm\"", "\"cell\":\"gru\"", StringComparison.Ordinal)),
        "wrong-shape" => WithHeader(j => Regex(j, "\"fc.weight\":\\{\"dtype\":\"F32\",\"shape\":\\[3,2\\]", "\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[2,3]")),
        "missing-tensor" => WithHeader(j => Regex(j, ",\"fc.bias\":\\{[^}]*\\}", "")),
        "foreign-format" => WithHeader(j => j.Replace("\"format\":\"ilgpu-lstm/1\"", "\"format\":\"pt\"", StringComparison.Ordinal)),
        "future-format" => WithHeader(j => j.Replace("\"format\":\"ilgpu-lstm/1\"", "\"format\":\"ilgpu-lstm/9\"", StringComparison.Ordinal)),
        "zip" => [(byte)'P', (byte)'K', 3, 4, .. new byte[60]],
        "text" => System.Text.Encoding.ASCII.GetBytes("lstm.weight_ih_l0 = [[0.1, 0.2], ...]\n"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string Regex(string input, string pattern, string replacement)
    {
        var result = System.Text.RegularExpressions.Regex.Replace(input, pattern, replacement);
        Assert.NotEqual(input, result); // the corruption must actually apply
        return result;
    }

    private static byte[] WithLength(byte[] bytes, ulong length)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
        return bytes;
    }

    public void Dispose() => dir.Dispose();
}
