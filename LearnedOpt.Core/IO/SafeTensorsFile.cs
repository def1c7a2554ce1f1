using System.Buffers;
using System.Buffers.Binary;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.IO;

/// <summary>
/// Reads and writes safetensors files: an 8-byte little-endian header length, a UTF-8 JSON header that maps
/// each tensor name to its dtype, shape and byte range, then the raw little-endian row-major data.
/// Reading is strict: the header must describe the data buffer exactly (no gaps, overlaps or trailing bytes),
/// so truncated or padded files are caught. Every malformed file raises <see cref="InvalidDataException"/> with
/// one sentence naming the file and the problem, and nothing reaches TorchSharp until the whole file has passed.
/// </summary>
public static class SafeTensorsFile
{
    /// <summary>The header key reserved for the string-to-string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The largest header accepted (100 MB, as the reference implementation): anything bigger is not a tensor index.</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>
    /// The most dimensions a tensor may have. The format sets no limit, but parts of libtorch assume a small rank,
    /// and a header with thousands of dimensions is corruption, not a model.
    /// </summary>
    public const int MaxRank = 64;

    private const int Alignment = 8;

    // Data are copied in slices of at most this many bytes, so that no span outgrows an int on large tensors.
    private const int ChunkBytes = 1 << 22;

    private const int ExcerptLength = 40;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>One tensor as the header describes it, checked against the data buffer's length.</summary>
    private sealed record Entry(string Name, SafeTensorsDType DType, long[] Shape, long Count, long Begin, long End);

    /// <summary>
    /// Writes <paramref name="tensors"/> in the given order, with keys in the header in that order too, so the same
    /// input always gives a byte-identical file. The header is padded with spaces so that the data start at an
    /// 8-byte aligned offset. The file is written atomically (temporary file, then rename).
    /// </summary>
    /// <param name="path">The file to write (replaced if it exists).</param>
    /// <param name="tensors">Uniquely named tensors of any dtype the format has, on any device with data (GPU tensors are copied to the CPU as they are written); views need not be contiguous.</param>
    /// <param name="metadata">String metadata for the <c>__metadata__</c> entry, written in ordinal key order; null or empty for none.</param>
    /// <exception cref="ArgumentException">
    /// A name is empty, repeated or <c>__metadata__</c>; a tensor is on the meta device, has an unsupported dtype, or exceeds
    /// a limit of <see cref="Read(Stream, string)"/> (rank, element count, header size).
    /// </exception>
    public static void Write(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        RequireLittleEndianHost();
        SafeTensorsDType[] dtypes = CheckWritable(tensors, metadata);
        // The header is built in full before the file is opened, so invalid input never creates even a temporary file.
        byte[] header = BuildHeader(tensors, dtypes, metadata);
        if (header.Length > MaxHeaderLength)
            throw new ArgumentException($"The header would take {header.Length} bytes, more than the {MaxHeaderLength} a reader accepts; use shorter names or less metadata.", nameof(metadata));
        AtomicFile.Write(path, stream =>
        {
            var length = new byte[sizeof(ulong)];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach ((_, Tensor tensor) in tensors) WriteData(stream, tensor);
        });
    }

    /// <summary>Reads a safetensors file; the tensors come in the order of their data in the file.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed safetensors file.</exception>
    public static SafeTensorsContent Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        return Read(stream, Path.GetFileName(path));
    }

    /// <summary>Reads safetensors content from the current position of <paramref name="stream"/> to its end.</summary>
    /// <param name="stream">The bytes of the file.</param>
    /// <param name="displayName">The name used in error messages.</param>
    /// <exception cref="InvalidDataException">The content is not a well-formed safetensors file.</exception>
    public static SafeTensorsContent Read(Stream stream, string displayName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(displayName);
        RequireLittleEndianHost();
        if (stream.CanSeek) return ReadSeekable(stream, displayName);

        // The layout is checked against the real length before any tensor buffer is allocated, so a stream
        // without a length is buffered first; its size then bounds every allocation.
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        return ReadSeekable(copy, displayName);
    }

    private static SafeTensorsContent ReadSeekable(Stream stream, string file)
    {
        long available = stream.Length - stream.Position;
        if (available < sizeof(ulong))
            throw Invalid(file, $"is too short to be a safetensors file: it has {Plural(available, "byte")}, fewer than the 8 of the header length");

        Span<byte> prefix = stackalloc byte[sizeof(ulong)];
        ReadExactly(stream, prefix, file, "its header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength == 0)
            throw Invalid(file, "is not a safetensors file: its header length is 0");
        if (headerLength > MaxHeaderLength)
            throw Invalid(file, $"is not a safetensors file: its header length {headerLength} exceeds the limit of {MaxHeaderLength} bytes");
        long afterPrefix = available - sizeof(ulong);
        if ((long)headerLength > afterPrefix)
            throw Invalid(file, $"is truncated: its header length is {headerLength} bytes, but the rest of the file is only {Plural(afterPrefix, "byte")} long");

        var header = new byte[headerLength];
        ReadExactly(stream, header, file, "its header");
        long dataLength = afterPrefix - (long)headerLength;

        (List<Entry> entries, Dictionary<string, string> metadata) = ParseHeader(header, dataLength, file);
        Entry[] ordered = CheckLayout(entries, dataLength, file);

        // All data are read into managed arrays and checked before the first tensor is created.
        var factories = new Func<Tensor>?[ordered.Length];
        for (int i = 0; i < ordered.Length; i++) factories[i] = ReadValues(stream, ordered[i], file);
        return CreateContent(ordered, factories, metadata, file);
    }

    private static (List<Entry> Entries, Dictionary<string, string> Metadata) ParseHeader(byte[] header, long dataLength, string file)
    {
        // Checked up front: the JSON reader validates UTF-8 only in the strings it is asked to decode.
        if (!Utf8.IsValid(header))
            throw Invalid(file, "has a header that is not valid UTF-8");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                $"{file} has a header that is not valid JSON (the error is at byte {e.BytePositionInLine} of line {e.LineNumber + 1}).", e);
        }

        using (document)
        {
            try
            {
                return InterpretHeader(document.RootElement, dataLength, file);
            }
            catch (InvalidOperationException e)
            {
                // JsonElement refuses to decode escapes that make invalid UTF-16, such as a lone "\ud800".
                throw new InvalidDataException($"{file} has a header with a string that is not valid Unicode.", e);
            }
        }
    }

    private static (List<Entry> Entries, Dictionary<string, string> Metadata) InterpretHeader(JsonElement root, long dataLength, string file)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw Invalid(file, $"has a header that is a JSON {KindName(root)}, not an object");

        // JSON permits repeated keys, but a repeated tensor name would leave it unclear which entry is meant.
        var names = new HashSet<string>(StringComparer.Ordinal);
        var entries = new List<Entry>();
        Dictionary<string, string>? metadata = null;
        foreach (JsonProperty property in root.EnumerateObject())
        {
            string name = property.Name;
            if (!names.Add(name))
            {
                throw Invalid(file, name == MetadataKey
                    ? $"has more than one \"{MetadataKey}\" entry in its header"
                    : $"names tensor {Quote(name)} more than once in its header");
            }
            if (name == MetadataKey)
                metadata = ParseMetadata(property.Value, file);
            else
                entries.Add(ParseEntry(name, property.Value, dataLength, file));
        }
        return (entries, metadata ?? new Dictionary<string, string>(StringComparer.Ordinal));
    }

    private static Dictionary<string, string> ParseMetadata(JsonElement value, string file)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Invalid(file, $"has a \"{MetadataKey}\" entry that is a JSON {KindName(value)}, not an object of strings");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty property in value.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
                throw Invalid(file, $"has a \"{MetadataKey}\" value for key {Quote(property.Name)} that is a JSON {KindName(property.Value)}, not a string");
            if (!metadata.TryAdd(property.Name, property.Value.GetString()!))
                throw Invalid(file, $"has the \"{MetadataKey}\" key {Quote(property.Name)} more than once");
        }
        return metadata;
    }

    private static Entry ParseEntry(string name, JsonElement value, long dataLength, string file)
    {
        if (name.Length == 0)
            throw Invalid(file, "has a tensor with an empty name");
        if (value.ValueKind != JsonValueKind.Object)
            throw Invalid(file, $"has a header entry for tensor {Quote(name)} that is a JSON {KindName(value)}, not an object");

        JsonElement? dtypeValue = null, shapeValue = null, offsetsValue = null;
        foreach (JsonProperty field in value.EnumerateObject())
        {
            ref JsonElement? slot = ref dtypeValue;
            switch (field.Name)
            {
                case "dtype": break;
                case "shape": slot = ref shapeValue; break;
                case "data_offsets": slot = ref offsetsValue; break;
                default: throw Invalid(file, $"gives tensor {Quote(name)} the unknown field {Quote(field.Name, '"')}");
            }
            if (slot is not null)
                throw Invalid(file, $"gives tensor {Quote(name)} the field {Quote(field.Name, '"')} more than once");
            slot = field.Value;
        }

        SafeTensorsDType dtype = ParseDType(name, dtypeValue ?? throw Missing(file, name, "dtype"), file);
        long[] shape = ParseShape(name, shapeValue ?? throw Missing(file, name, "shape"), file);
        (ulong begin, ulong end) = ParseOffsets(name, offsetsValue ?? throw Missing(file, name, "data_offsets"), file);

        long count, byteLength;
        try
        {
            count = 1;
            // Zero-sized dimensions still shape strides inside libtorch, so the product of the others must fit as well.
            long extent = 1;
            foreach (long dimension in shape)
            {
                count = checked(count * dimension);
                extent = checked(extent * Math.Max(dimension, 1));
            }
            byteLength = checked(count * dtype.ElementSize);
        }
        catch (OverflowException)
        {
            throw Invalid(file, $"gives tensor {Quote(name)} the shape {FormatShape(shape)}, whose size overflows 64-bit arithmetic");
        }

        if (end - begin != (ulong)byteLength)
        {
            throw Invalid(file,
                $"gives tensor {Quote(name)} data_offsets [{begin}, {end}] spanning {end - begin} bytes, but its {dtype.Name} shape {FormatShape(shape)} needs {byteLength}");
        }
        if (end > (ulong)dataLength)
        {
            throw Invalid(file,
                $"is truncated or corrupt: tensor {Quote(name)} ends at data byte {end}, but the data buffer has only {dataLength} bytes");
        }
        if (count > Array.MaxLength)
            throw Invalid(file, $"gives tensor {Quote(name)} {count} elements, more than the {Array.MaxLength} this reader can hold in memory");
        return new Entry(name, dtype, shape, count, (long)begin, (long)end);
    }

    private static SafeTensorsDType ParseDType(string name, JsonElement value, string file)
    {
        if (value.ValueKind != JsonValueKind.String)
            throw Invalid(file, $"gives tensor {Quote(name)} a dtype that is a JSON {KindName(value)}, not a string");
        string text = value.GetString()!;
        return SafeTensorsDType.FromName(text)
            ?? throw Invalid(file, $"gives tensor {Quote(name)} the unknown dtype {Quote(text, '"')} (known: {string.Join(", ", SafeTensorsDType.All.Select(t => t.Name))})");
    }

    private static long[] ParseShape(string name, JsonElement value, string file)
    {
        if (value.ValueKind != JsonValueKind.Array)
            throw Invalid(file, $"gives tensor {Quote(name)} a shape that is a JSON {KindName(value)}, not an array");
        int rank = value.GetArrayLength();
        if (rank > MaxRank)
            throw Invalid(file, $"gives tensor {Quote(name)} {rank} dimensions, more than the {MaxRank} supported");
        var shape = new long[rank];
        int i = 0;
        foreach (JsonElement dimension in value.EnumerateArray())
        {
            if (dimension.ValueKind != JsonValueKind.Number || !dimension.TryGetInt64(out long size) || size < 0)
                throw Invalid(file, $"gives tensor {Quote(name)} the shape {Excerpt(value)}, whose dimension {Excerpt(dimension)} is not a non-negative 64-bit integer");
            shape[i++] = size;
        }
        return shape;
    }

    private static (ulong Begin, ulong End) ParseOffsets(string name, JsonElement value, string file)
    {
        // Unsigned, as the format defines them; whether they lie inside the buffer is checked once the sizes agree.
        ulong begin = 0, end = 0;
        bool wellFormed = value.ValueKind == JsonValueKind.Array
            && value.GetArrayLength() == 2
            && value[0].ValueKind == JsonValueKind.Number && value[0].TryGetUInt64(out begin)
            && value[1].ValueKind == JsonValueKind.Number && value[1].TryGetUInt64(out end)
            && begin <= end;
        if (!wellFormed)
            throw Invalid(file, $"gives tensor {Quote(name)} the data_offsets {Excerpt(value)}, which are not two non-negative integers [begin, end] with begin ≤ end");
        return (begin, end);
    }

    private static Entry[] CheckLayout(List<Entry> entries, long dataLength, string file)
    {
        // By begin, then end, so that an empty tensor comes before the tensor that starts where it sits; OrderBy is
        // stable, so empty tensors at one offset keep their header order.
        Entry[] ordered = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToArray();
        long cursor = 0;
        Entry? previous = null;
        foreach (Entry entry in ordered)
        {
            if (entry.Begin < cursor)
            {
                throw Invalid(file,
                    $"is corrupt: the data of tensors {Quote(previous!.Name)} [{previous.Begin}, {previous.End}] and {Quote(entry.Name)} [{entry.Begin}, {entry.End}] overlap");
            }
            if (entry.Begin > cursor)
                throw Invalid(file, $"is corrupt: data bytes {cursor} to {entry.Begin} belong to no tensor");
            cursor = entry.End;
            previous = entry;
        }
        if (cursor < dataLength)
        {
            throw Invalid(file, ordered.Length == 0
                ? $"has {Plural(dataLength, "byte")} after its header but no tensors"
                : $"has {Plural(dataLength - cursor, "trailing byte")} after the data of its last tensor");
        }
        return ordered;
    }

    // Reads one tensor's data into a managed array and returns how to make the tensor from it. Dispatching on the
    // dtype here, rather than on the array's type later, matters: the runtime lets a byte[] pass as an sbyte[].
    private static Func<Tensor> ReadValues(Stream stream, Entry entry, string file)
    {
        long[] shape = entry.Shape;
        switch (entry.DType.ScalarType)
        {
            case ScalarType.Float32: { float[] v = ReadArray<float>(stream, entry, file); return () => torch.tensor(v, shape, device: CPU); }
            case ScalarType.Float64: { double[] v = ReadArray<double>(stream, entry, file); return () => torch.tensor(v, shape, device: CPU); }
            case ScalarType.Float16: { Half[] v = ReadArray<Half>(stream, entry, file); return () => torch.tensor(v, shape, device: CPU); }
            case ScalarType.BFloat16: { BFloat16[] v = ReadArray<BFloat16>(stream, entry, file); return () => torch.tensor(v, shape, device: CPU); }
            case ScalarType.Int64: { long[] v = ReadArray<long>(stream, entry, file); return () => torch.tensor(v, shape, device: CPU); }
            case ScalarType.Int32: { int[] v = ReadArray<int>(stream, entry, file); return () => torch.tensor(v, shape, device: CPU); }
            case ScalarType.Int16: { short[] v = ReadArray<short>(stream, entry, file); return () => torch.tensor(v, shape, device: CPU); }
            case ScalarType.Int8: { sbyte[] v = ReadArray<sbyte>(stream, entry, file); return () => torch.tensor(v, shape, device: CPU); }
            case ScalarType.Byte: { byte[] v = ReadArray<byte>(stream, entry, file); return () => torch.tensor(v, shape, device: CPU); }
            case ScalarType.Bool:
            {
                bool[] v = ReadArray<bool>(stream, entry, file);
                // libtorch assumes a bool byte is 0 or 1; any other value is undefined behaviour there.
                ReadOnlySpan<byte> raw = MemoryMarshal.AsBytes(v.AsSpan());
                int bad = raw.IndexOfAnyExcept((byte)0, (byte)1);
                if (bad >= 0)
                    throw Invalid(file, $"has the byte {raw[bad]} at element {bad} of BOOL tensor {Quote(entry.Name)}, where only 0 and 1 are booleans");
                return () => torch.tensor(v, shape, device: CPU);
            }
            default:
                throw new UnreachableException($"No reader for dtype {entry.DType.Name}.");
        }
    }

    private static T[] ReadArray<T>(Stream stream, Entry entry, string file) where T : unmanaged
    {
        if (Unsafe.SizeOf<T>() != entry.DType.ElementSize)
            throw new UnreachableException($"{typeof(T).Name} does not have the size of a {entry.DType.Name} element.");
        var values = new T[entry.Count];
        int perChunk = ChunkBytes / Unsafe.SizeOf<T>();
        for (int start = 0; start < values.Length;)
        {
            int length = Math.Min(perChunk, values.Length - start);
            ReadExactly(stream, MemoryMarshal.AsBytes(values.AsSpan(start, length)), file, $"the data of tensor {Quote(entry.Name)}");
            start += length;
        }
        return values;
    }

    private static SafeTensorsContent CreateContent(Entry[] ordered, Func<Tensor>?[] factories, Dictionary<string, string> metadata, string file)
    {
        var tensors = new (string Name, Tensor Tensor)[ordered.Length];
        int created = 0;
        try
        {
            for (; created < ordered.Length; created++)
            {
                tensors[created] = (ordered[created].Name, factories[created]!());
                factories[created] = null; // torch.tensor copies; let the managed array go
            }
        }
        catch
        {
            for (int i = 0; i < created; i++) tensors[i].Tensor.Dispose();
            throw;
        }
        return new SafeTensorsContent(Array.AsReadOnly(tensors), new ReadOnlyDictionary<string, string>(metadata)) { Source = file };
    }

    private static SafeTensorsDType[] CheckWritable(IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var dtypes = new SafeTensorsDType[tensors.Count];
        for (int i = 0; i < tensors.Count; i++)
        {
            (string name, Tensor tensor) = tensors[i];
            if (string.IsNullOrEmpty(name))
                throw new ArgumentException($"Tensor {i} has no name; every safetensors tensor needs a non-empty name.", nameof(tensors));
            if (name == MetadataKey)
                throw new ArgumentException($"Tensor {i} is named \"{MetadataKey}\", which the format reserves for metadata.", nameof(tensors));
            RequireEncodable(name, $"Tensor name '{name}'", nameof(tensors));
            if (!names.Add(name))
                throw new ArgumentException($"Tensor name '{name}' appears more than once; safetensors names must be unique.", nameof(tensors));
            if (tensor is null || tensor.IsInvalid)
                throw new ArgumentException($"Tensor '{name}' is null or disposed.", nameof(tensors));
            if (tensor.device_type == DeviceType.META)
                throw new ArgumentException($"Tensor '{name}' is on the meta device, which holds shapes but no values; save a tensor that has data.", nameof(tensors));
            if (tensor.is_sparse)
                throw new ArgumentException($"Tensor '{name}' is sparse; safetensors stores dense tensors only.", nameof(tensors));
            dtypes[i] = SafeTensorsDType.FromScalarType(tensor.dtype)
                ?? throw new ArgumentException(
                    $"Tensor '{name}' has dtype {tensor.dtype}, which safetensors cannot store here (supported: {string.Join(", ", SafeTensorsDType.All.Select(t => t.ScalarType))}).",
                    nameof(tensors));
            // What Write writes, Read reads back: the reader's limits apply here too.
            if (tensor.dim() > MaxRank)
                throw new ArgumentException($"Tensor '{name}' has {tensor.dim()} dimensions, more than the {MaxRank} supported.", nameof(tensors));
            if (tensor.numel() > Array.MaxLength)
                throw new ArgumentException($"Tensor '{name}' has {tensor.numel()} elements, more than the {Array.MaxLength} a reader can hold in memory.", nameof(tensors));
        }
        if (metadata is not null)
        {
            foreach ((string key, string value) in metadata)
            {
                if (key is null || value is null)
                    throw new ArgumentException($"Metadata key '{key}' has a null key or value; metadata maps strings to strings.", nameof(metadata));
                RequireEncodable(key, $"Metadata key '{key}'", nameof(metadata));
                RequireEncodable(value, $"The metadata value for '{key}'", nameof(metadata));
            }
        }
        return dtypes;
    }

    private static void RequireEncodable(string text, string what, string parameter)
    {
        try
        {
            StrictUtf8.GetByteCount(text);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"{what} is not valid Unicode (it holds an unpaired surrogate), so it cannot be written as UTF-8.", parameter, e);
        }
    }

    private static byte[] BuildHeader(IReadOnlyList<(string Name, Tensor Tensor)> tensors, SafeTensorsDType[] dtypes, IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        // The header is never embedded in HTML, so names are written as they are rather than \u-escaped.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                // Ordinal key order: dictionaries promise no order, and the same input must give the same bytes.
                foreach ((string key, string value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                    json.WriteString(key, value);
                json.WriteEndObject();
            }

            long offset = 0;
            for (int i = 0; i < tensors.Count; i++)
            {
                (string name, Tensor tensor) = tensors[i];
                long byteLength = checked(tensor.numel() * dtypes[i].ElementSize);
                json.WriteStartObject(name);
                json.WriteString("dtype", dtypes[i].Name);
                json.WriteStartArray("shape");
                foreach (long dimension in tensor.shape) json.WriteNumberValue(dimension);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(checked(offset + byteLength));
                json.WriteEndArray();
                json.WriteEndObject();
                offset += byteLength;
            }
            json.WriteEndObject();
        }

        int unpadded = buffer.WrittenCount;
        int padding = (Alignment - (sizeof(ulong) + unpadded) % Alignment) % Alignment;
        var header = new byte[unpadded + padding];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(unpadded).Fill((byte)' ');
        return header;
    }

    private static void WriteData(Stream stream, Tensor tensor)
    {
        // Detached so that copying records no autograd history; copied to the CPU here, at the file boundary, so
        // callers save GPU tensors as they are; flattened so it can be written in slices.
        using Tensor detached = tensor.detach();
        using Tensor onCpu = detached.device_type == DeviceType.CPU ? detached.alias() : detached.cpu();
        using Tensor contiguous = onCpu.contiguous();
        using Tensor flat = contiguous.reshape(-1);
        long count = flat.numel();
        long perChunk = ChunkBytes / flat.element_size();
        for (long start = 0; start < count; start += perChunk)
        {
            using Tensor slice = flat.narrow(0, start, Math.Min(perChunk, count - start));
            stream.Write(slice.bytes);
        }
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string file, string what)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            // Only if the file shrank while being read: the layout was checked against its length.
            throw new InvalidDataException($"{file} is truncated: it ends in the middle of {what}.", e);
        }
    }

    private static void RequireLittleEndianHost()
    {
        // Tensor bytes are copied as they lie in memory; a big-endian host would need every element swapped.
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Safetensors files hold little-endian data, and this reader and writer run only on little-endian machines.");
    }

    private static InvalidDataException Invalid(string file, string problem) => new($"{file} {problem}.");

    private static InvalidDataException Missing(string file, string name, string field) =>
        Invalid(file, $"gives no \"{field}\" for tensor {Quote(name)}");

    private static string KindName(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Undefined => "nothing",
        var kind => kind.ToString().ToLowerInvariant(),
    };

    private static string Plural(long count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    private static string FormatShape(long[] shape) => $"[{string.Join(", ", shape)}]";

    // Raw JSON for a message: white space folded, and cut short so one bad header cannot flood the message.
    private static string Excerpt(JsonElement value) =>
        Shorten(string.Join(' ', value.GetRawText().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));

    private static string Shorten(string text, int maxLength = ExcerptLength) => text.Length <= maxLength ? text : text[..maxLength] + "…";

    // A name from the header, quoted, and cut short only if it is far longer than any real tensor name.
    private static string Quote(string name, char quote = '\'') => $"{quote}{Shorten(name, 200)}{quote}";
}
