using System.Text;

namespace IlgpuLstm.Engine.Data;

/// <summary>
/// Reads a corpus as Python's text mode does: strict UTF-8 (invalid bytes are refused, with their
/// offset), universal newlines (CRLF and lone CR become LF), a leading BOM dropped.
/// </summary>
internal static class TextFile
{
    /// <summary>Reads <paramref name="path"/>; <paramref name="what"/> names it in errors ("corpus", "prime file").</summary>
    public static string Read(string path, string what = "corpus") => Decode(ReadBytes(path, what), path, what);

    /// <summary>The raw bytes (for a checksum too), with the same one-line errors as <see cref="Read"/>.</summary>
    public static byte[] ReadBytes(string path, string what = "corpus")
    {
        using var stream = Open(path, what);
        try
        {
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (IOException e)
        {
            throw new EngineException($"{what} '{path}' cannot be read: {e.Message}");
        }
    }

    /// <summary>Opens <paramref name="path"/> for a sequential read, with the one-line errors of <see cref="Read"/>.</summary>
    public static FileStream Open(string path, string what = "corpus")
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            throw new FileNotFoundException($"{what} '{path}' does not exist", path);
        }
        catch (DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"{what} '{path}' does not exist", path);
        }
        catch (UnauthorizedAccessException)
        {
            throw new EngineException(Directory.Exists(path)
                ? $"{what} '{path}' is a directory; give a text file"
                : $"{what} '{path}' cannot be read: permission denied");
        }
        catch (IOException e)
        {
            throw new EngineException($"{what} '{path}' cannot be read: {e.Message}");
        }
    }

    public static string Decode(byte[] bytes, string name, string what = "corpus")
    {
        if (bytes.Length == 0) throw new EngineException($"{what} '{name}' is empty");
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new EngineException($"{what} '{name}' is not valid UTF-8 (bad byte at offset {e.Index}); convert it to UTF-8 first");
        }
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        return text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
    }
}
