using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace IlgpuLstm.Engine.Checkpoints;

/// <summary>
/// A validated safetensors file (8-byte little-endian header length, JSON header, raw data).
/// Everything is checked before any tensor is read: header length within the file, JSON shape,
/// dtypes, shapes, byte ranges inside the data and not overlapping, sizes that match the shapes.
/// Nothing larger than the file is ever allocated. Every problem is an
/// <see cref="EngineException"/> naming the file.
/// </summary>
internal sealed class SafetensorsFile
{
    /// <summary>Largest header accepted (the reference implementation's limit is 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private static readonly Dictionary<string, int> DTypeSizes = new(StringComparer.Ordinal)
    {
        ["F64"] = 8,
        ["F32"] = 4,
        ["F16"] = 2,
        ["BF16"] = 2,
        ["I64"] = 8,
        ["I32"] = 4,
        ["I16"] = 2,
        ["I8"] = 1,
        ["U8"] = 1,
        ["U16"] = 2,
        ["U32"] = 4,
        ["U64"] = 8,
        ["BOOL"] = 1,
        ["F8_E4M3"] = 1,
        ["F8_E5M2"] = 1,
    };

    private readonly string path;
    private readonly Func<Stream> open;
    private readonly long dataStart;

    private SafetensorsFile(string path, Func<Stream> open, long dataStart, IReadOnlyDictionary<string, string> metadata,
        IReadOnlyDictionary<string, TensorInfo> tensors)
    {
        this.path = path;
        this.open = open;
        this.dataStart = dataStart;
        Metadata = metadata;
        Tensors = tensors;
    }

    public IReadOnlyDictionary<string, string> Metadata { get; }
    public IReadOnlyDictionary<string, TensorInfo> Tensors { get; }

    public static SafetensorsFile Open(string path)
    {
        if (Directory.Exists(path))
        {
            // A run's directory: name the files in it that a user most likely meant.
            var inside = new[] { "best.safetensors", "latest.safetensors" }.Where(n => File.Exists(Path.Combine(path, n))).ToList();
            throw new EngineException($"checkpoint '{path}' is a directory, not a file" + (inside.Count > 0
                ? $"; did you mean {string.Join(" or ", inside.Select(n => Path.Combine(path, n)))}?"
                : ""));
        }
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint '{path}' does not exist", path);
        return Read(path, new FileInfo(path).Length, () => File.OpenRead(path));
    }

    /// <summary>A checkpoint held in memory (read from a stream); <paramref name="label"/> names it in messages.</summary>
    public static SafetensorsFile FromBytes(byte[] bytes, string label) =>
        Read(label, bytes.Length, () => new MemoryStream(bytes, writable: false));

    private static SafetensorsFile Read(string path, long fileLength, Func<Stream> open)
    {
        if (fileLength == 0) throw new EngineException($"checkpoint '{path}' is empty");
        if (fileLength < 8) throw Bad(path, $"it is {fileLength} bytes, shorter than the 8-byte header length");
        byte[] header;
        try
        {
            using var stream = open();
            Span<byte> lengthBytes = stackalloc byte[8];
            stream.ReadExactly(lengthBytes);
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            if (headerLength > (ulong)(fileLength - 8))
                throw new EngineException($"'{path}' is not a safetensors file: {Kind(lengthBytes)}");
            if (headerLength > MaxHeaderBytes) throw Bad(path, $"its header is {headerLength} bytes, over the {MaxHeaderBytes} limit");
            if (headerLength < 2) throw Bad(path, "its header is too short to be JSON");
            header = new byte[headerLength];
            stream.ReadExactly(header);
        }
        catch (UnauthorizedAccessException)
        {
            throw new EngineException($"checkpoint '{path}' cannot be read (permission denied)");
        }
        catch (IOException e)
        {
            throw new EngineException($"checkpoint '{path}' cannot be read: {e.Message}");
        }
        long dataStart = 8 + header.Length;
        return Parse(path, open, header, dataStart, fileLength - dataStart);
    }

    private static SafetensorsFile Parse(string path, Func<Stream> open, byte[] header, long dataStart, long dataLength)
    {
        JsonDocument doc;
        try
        {
            // Decode strictly first: JsonDocument accepts invalid UTF-8 inside strings and only
            // fails later, when a value is read.
            doc = JsonDocument.Parse(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(header));
        }
        catch (DecoderFallbackException)
        {
            throw Bad(path, "its header is not valid UTF-8");
        }
        catch (JsonException)
        {
            throw Bad(path, "its header is not valid JSON");
        }
        catch (ArgumentException)
        {
            throw Bad(path, "its header is not valid UTF-8 JSON");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad(path, "its header is not a JSON object");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var tensors = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind != JsonValueKind.Object) throw Bad(path, "__metadata__ is not an object");
                    foreach (var m in property.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw Bad(path, $"metadata '{m.Name}' is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                tensors[property.Name] = ParseTensor(path, property.Name, property.Value, dataLength);
            }
            var sorted = tensors.Values.Where(t => t.End > t.Begin).OrderBy(t => t.Begin).ToList();
            for (int i = 1; i < sorted.Count; i++)
                if (sorted[i].Begin < sorted[i - 1].End)
                    throw Bad(path, $"tensors '{sorted[i - 1].Name}' and '{sorted[i].Name}' overlap");
            return new SafetensorsFile(path, open, dataStart, metadata, tensors);
        }
    }

    private static TensorInfo ParseTensor(string path, string name, JsonElement e, long dataLength)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Bad(path, $"tensor '{name}' is not an object");
        if (!e.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Bad(path, $"tensor '{name}' has no dtype");
        string dtype = dtypeElement.GetString()!;
        if (!DTypeSizes.TryGetValue(dtype, out int size)) throw Bad(path, $"tensor '{name}' has unknown dtype '{dtype}'");
        if (!e.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw Bad(path, $"tensor '{name}' has no shape");
        var shape = new List<long>();
        long elements = 1;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0)
                throw Bad(path, $"tensor '{name}' has an invalid dimension");
            shape.Add(dim);
            if (dim != 0 && elements > dataLength / dim) throw Bad(path, $"tensor '{name}' is larger than the file");
            elements *= dim;
        }
        if (!e.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array ||
            offsets.GetArrayLength() != 2)
            throw Bad(path, $"tensor '{name}' has no data_offsets pair");
        if (!offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw Bad(path, $"tensor '{name}' has invalid data_offsets");
        if (end > dataLength)
            throw Bad(path, $"tensor '{name}' data ends at byte {end}, past the {dataLength}-byte data section (truncated file?)");
        if (end - begin != elements * size)
            throw Bad(path, $"tensor '{name}' has {end - begin} bytes, but dtype {dtype} and shape ({string.Join(", ", shape)}) need {elements * size}");
        return new TensorInfo(name, dtype, [.. shape], begin, end);
    }

    /// <summary>Reads a float32 tensor; any other dtype is refused by name.</summary>
    public float[] ReadFloat32(string name)
    {
        if (!Tensors.TryGetValue(name, out var info)) throw new EngineException($"checkpoint '{path}' has no tensor '{name}'");
        if (info.DType != "F32")
            throw new EngineException($"checkpoint '{path}': tensor '{name}' is {info.DType}; only F32 is supported (save with float32)");
        var values = new float[info.Elements];
        try
        {
            using var stream = open();
            stream.Position = dataStart + info.Begin;
            stream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        }
        catch (EndOfStreamException)
        {
            throw new EngineException($"checkpoint '{path}' is truncated inside tensor '{name}'");
        }
        return values; // safetensors is little-endian, as is every platform .NET 10 runs on

    }

    /// <summary>
    /// What a file whose first 8 bytes are no plausible header length seems to be, so the message
    /// says that instead of quoting a 20-digit length.
    /// </summary>
    private static string Kind(ReadOnlySpan<byte> first)
    {
        if (first[0] == (byte)'P' && first[1] == (byte)'K')
            return "it is a zip archive, as torch.save writes (.pt/.pth); save the state_dict with safetensors.torch.save_file";
        if (first[0] == 0x80)
            return "it looks like a Python pickle (an old torch.save); save the state_dict with safetensors.torch.save_file";
        bool text = true;
        foreach (byte b in first) text &= b is >= 0x20 and < 0x7F or (byte)'\n' or (byte)'\r' or (byte)'\t';
        if (text) return "it starts like a text file";
        return "its first 8 bytes are not a header length that fits in the file";
    }

    private static EngineException Bad(string path, string why) =>
        new($"checkpoint '{path}' is not a valid safetensors file: {why}");

    /// <summary>Writes tensors (float32) and metadata to a temporary file, flushes it to disk, then renames it into place.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, string> metadata,
        IReadOnlyList<(string Name, long[] Shape, float[] Data)> tensors)
    {
        AtomicFile.Write(path, $"checkpoint '{path}'", overwrite: true, stream => Write(stream, metadata, tensors));
    }

    /// <summary>The same bytes as <see cref="Write(string, IReadOnlyDictionary{string, string}, IReadOnlyList{ValueTuple{string, long[], float[]}})"/>, onto a stream.</summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, string> metadata,
        IReadOnlyList<(string Name, long[] Shape, float[] Data)> tensors)
    {
        var header = new Dictionary<string, object>(StringComparer.Ordinal) { ["__metadata__"] = metadata };
        long offset = 0;
        foreach (var (name, shape, data) in tensors)
        {
            long bytes = (long)data.Length * 4;
            header[name] = new { dtype = "F32", shape, data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        int padded = (json.Length + 7) / 8 * 8; // align the data section to 8 bytes, as the reference writer does
        var headerBytes = new byte[padded];
        json.CopyTo(headerBytes, 0);
        for (int i = json.Length; i < padded; i++) headerBytes[i] = (byte)' ';
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(headerBytes);
        foreach (var (_, _, data) in tensors)
            stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
    }
}
