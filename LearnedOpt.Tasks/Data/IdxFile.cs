using LearnedOpt.IO;
using System.Buffers.Binary;
using System.IO.Compression;

namespace LearnedOpt.Tasks.Data;

/// <summary>
/// Reads and writes IDX files (the MNIST file format): two zero bytes, an element-type byte, a rank
/// byte, one big-endian int32 per dimension, then the raw row-major data. Only unsigned bytes
/// (type 0x08) are supported. Files may be gzip-compressed; compression is recognised by its magic
/// bytes, not by the file name. Every malformed input raises <see cref="InvalidDataException"/> with
/// one sentence naming the file and the problem.
/// </summary>
internal static class IdxFile
{
    /// <summary>The IDX element-type code for unsigned bytes.</summary>
    public const byte UnsignedByteType = 0x08;

    // gzip member header is at least 10 bytes and its trailer 8 (CRC32, ISIZE).
    private const int MinimumGzipLength = 18;

    /// <summary>Reads an IDX file, plain or gzip-compressed.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed unsigned-byte IDX file.</exception>
    public static IdxArray Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return Parse(bytes, Path.GetFileName(path));
    }

    /// <summary>Reads an IDX array, plain or gzip-compressed, from a stream (read to its end).</summary>
    /// <param name="stream">The bytes of the file.</param>
    /// <param name="fileName">The name used in error messages.</param>
    public static IdxArray Read(Stream stream, string fileName)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Parse(buffer.ToArray(), fileName);
    }

    /// <summary>Parses the bytes of an IDX file, plain or gzip-compressed.</summary>
    public static IdxArray Parse(byte[] fileBytes, string fileName)
    {
        byte[] content = IsGzip(fileBytes) ? Gunzip(fileBytes, fileName) : fileBytes;
        return ParseUncompressed(content, fileName);
    }

    /// <summary>
    /// Writes an IDX file of unsigned bytes through <see cref="AtomicFile"/>, so an interrupted write never
    /// leaves a plausible-looking file.
    /// </summary>
    /// <param name="path">Destination file.</param>
    /// <param name="array">Dimensions and data to write.</param>
    /// <param name="gzip">Whether to gzip-compress the file (conventionally named <c>*.gz</c>).</param>
    public static void Write(string path, IdxArray array, bool gzip)
    {
        CheckWritable(array, Path.GetFileName(path));
        AtomicFile.Write(path, file =>
        {
            if (!gzip)
            {
                WriteUncompressed(file, array);
                return;
            }
            using var compressed = new GZipStream(file, CompressionLevel.SmallestSize, leaveOpen: true);
            WriteUncompressed(compressed, array);
        });
    }

    /// <summary>Writes the uncompressed IDX bytes of an array to a stream.</summary>
    public static void WriteUncompressed(Stream stream, IdxArray array)
    {
        CheckWritable(array, "the IDX array");
        Span<byte> header = stackalloc byte[4 + 4 * array.Rank];
        header[0] = 0;
        header[1] = 0;
        header[2] = UnsignedByteType;
        header[3] = (byte)array.Rank;
        for (int i = 0; i < array.Rank; i++)
            BinaryPrimitives.WriteInt32BigEndian(header[(4 + 4 * i)..], array.Dimensions[i]);
        stream.Write(header);
        stream.Write(array.Data);
    }

    private static bool IsGzip(byte[] bytes) => bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;

    private static byte[] Gunzip(byte[] compressed, string fileName)
    {
        if (compressed.Length < MinimumGzipLength)
            throw new InvalidDataException($"{fileName} is truncated: it starts like a gzip file but has only {compressed.Length} bytes.");

        // The trailer's ISIZE is the uncompressed length mod 2^32. A truncated download ends early, so
        // its last four bytes are compressed data that almost never equals the length actually decoded;
        // the decoder alone may stop quietly at the cut instead of failing.
        uint recordedLength = BinaryPrimitives.ReadUInt32LittleEndian(compressed.AsSpan(compressed.Length - 4));
        // Pre-size from the trailer, bounded so that a damaged trailer cannot demand a huge buffer.
        using var output = new MemoryStream(capacity: (int)Math.Min(recordedLength, Math.Min(16L * compressed.Length, 256L << 20)));
        try
        {
            using var input = new GZipStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
            input.CopyTo(output);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new InvalidDataException($"{fileName} is truncated or corrupt: its gzip data cannot be decompressed ({e.Message.TrimEnd('.')}).", e);
        }
        if ((uint)output.Length != recordedLength)
            throw new InvalidDataException(
                $"{fileName} is truncated or corrupt: its gzip data decompresses to {output.Length} bytes, but its trailer records {recordedLength}.");
        return output.ToArray();
    }

    private static IdxArray ParseUncompressed(byte[] content, string fileName)
    {
        if (content.Length < 4)
            throw new InvalidDataException($"{fileName} is truncated: an IDX header needs at least 4 bytes, but the file has {content.Length}.");
        if (content[0] != 0 || content[1] != 0)
            throw new InvalidDataException(
                $"{fileName} is not an IDX file: it starts with bytes {Convert.ToHexString(content, 0, 4)} instead of two zero bytes.");

        byte type = content[2];
        if (type != UnsignedByteType)
            throw new InvalidDataException(
                $"{fileName} holds IDX element type 0x{type:x2} ({TypeName(type)}); only unsigned bytes (0x08) are supported.");

        int rank = content[3];
        if (rank == 0)
            throw new InvalidDataException($"{fileName} declares rank 0; an IDX array needs at least one dimension.");
        int headerLength = 4 + 4 * rank;
        if (content.Length < headerLength)
            throw new InvalidDataException(
                $"{fileName} is truncated: its header declares {rank} dimensions ({headerLength} header bytes), but the file has {content.Length} bytes.");

        var dimensions = new int[rank];
        long expected = 1;
        for (int i = 0; i < rank; i++)
        {
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(content.AsSpan(4 + 4 * i));
            if (dimensions[i] < 0)
                throw new InvalidDataException($"{fileName} declares a negative dimension ({dimensions[i]}); the header is corrupt.");
            expected *= dimensions[i];
            if (expected > Array.MaxLength)
                throw new InvalidDataException($"{fileName} declares dimensions {string.Join('×', dimensions[..(i + 1)])}, too large to be real; the header is corrupt.");
        }

        long found = content.Length - headerLength;
        string shape = string.Join('×', dimensions);
        if (found < expected)
            throw new InvalidDataException($"{fileName} is truncated: its dimensions {shape} need {expected} data bytes, but it has {found}.");
        if (found > expected)
            throw new InvalidDataException($"{fileName} is corrupt: its dimensions {shape} need {expected} data bytes, but it has {found}.");

        return new IdxArray(dimensions, content.AsSpan(headerLength).ToArray());
    }

    private static void CheckWritable(IdxArray array, string fileName)
    {
        if (array.Rank is < 1 or > 255)
            throw new ArgumentException($"{fileName}: an IDX array needs 1 to 255 dimensions, not {array.Rank}.", nameof(array));
        long product = 1;
        foreach (int d in array.Dimensions)
        {
            if (d < 0) throw new ArgumentException($"{fileName}: dimension {d} is negative.", nameof(array));
            product *= d;
        }
        if (product != array.Data.Length)
            throw new ArgumentException(
                $"{fileName}: dimensions {array.Shape} need {product} bytes, but the data has {array.Data.Length}.", nameof(array));
    }

    private static string TypeName(byte type) => type switch
    {
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "not an IDX type",
    };
}
