namespace IlgpuLstm.Engine.Data;

/// <summary>
/// A corpus's token ids in the narrowest type that holds them: a byte each for up to 256 symbols,
/// 16 bits up to 65,536 (an <c>int[]</c> is accepted for small, made-up inputs). Slices share the
/// storage, so splitting a gigabyte corpus into training and validation copies nothing.
/// </summary>
internal sealed class TokenSequence
{
    private readonly byte[]? bytes;
    private readonly ushort[]? shorts;
    private readonly int[]? ints;
    private readonly int offset;

    private TokenSequence(byte[]? bytes, ushort[]? shorts, int[]? ints, int offset, int length)
    {
        this.bytes = bytes;
        this.shorts = shorts;
        this.ints = ints;
        this.offset = offset;
        Length = length;
    }

    /// <summary>The first <paramref name="length"/> ids of <paramref name="ids"/>, a byte each.</summary>
    public static TokenSequence Of(byte[] ids, int length) => new(ids, null, null, 0, length);

    /// <summary>The first <paramref name="length"/> ids of <paramref name="ids"/>, 16 bits each.</summary>
    public static TokenSequence Of(ushort[] ids, int length) => new(null, ids, null, 0, length);

    public static implicit operator TokenSequence(int[] ids) => new(null, null, ids, 0, ids.Length);

    public int Length { get; }

    /// <summary>Bytes per id in storage: 1, 2 or 4.</summary>
    public int BytesPerId => bytes != null ? 1 : shorts != null ? 2 : 4;

    public int this[int index] => bytes != null ? bytes[offset + index] : shorts != null ? shorts[offset + index] : ints![offset + index];

    /// <summary>Ids [start, start + length) as a view of the same storage.</summary>
    public TokenSequence Slice(int start, int length)
    {
        if (start < 0 || length < 0 || start + (long)length > Length) throw new ArgumentOutOfRangeException(nameof(start));
        return new TokenSequence(bytes, shorts, ints, offset + start, length);
    }

    public int[] ToArray()
    {
        var result = new int[Length];
        for (int i = 0; i < Length; i++) result[i] = this[i];
        return result;
    }
}
