using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using LearnedOpt.IO;
using LearnedOpt.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.IO;

/// <summary>Safetensors files: written reproducibly in the standard layout, read strictly.</summary>
public class SafeTensorsFileTests
{
    private const string FileName = "model.safetensors";

    private static readonly float[] MatrixValues =
    [
        1.5f, -0f, float.PositiveInfinity,
        BitConverter.Int32BitsToSingle(0x7FC0_0123), // a NaN with a payload
        float.Epsilon, float.MaxValue,
    ];

    private static readonly double[] VectorValues = [Math.PI, -1e-300, double.NegativeInfinity, 0.1];

    private static readonly Dictionary<string, string> SampleMetadata = new()
    {
        ["format"] = "pt",
        ["step"] = "1200",
        ["note"] = "ünïcode ✓ \"quoted\" \\ <tag>",
    };

    /// <summary>A float32 matrix, a float64 vector, an int64 scalar and an empty [0, 3] tensor, in that order.</summary>
    private static (string Name, Tensor Tensor)[] SampleTensors() =>
    [
        ("layer.0.weight", tensor(MatrixValues, [2, 3])),
        ("layer.0.bias", tensor(VectorValues, [4])),
        ("step", tensor(long.MinValue + 7)),
        ("empty", zeros(0, 3, dtype: ScalarType.Float32)),
    ];

    private static byte[] RawBytes(Tensor t)
    {
        using Tensor contiguous = t.contiguous();
        return contiguous.bytes.ToArray();
    }

    // ---- round trips ----

    [Fact]
    public void Tensors_and_metadata_round_trip_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        using var temp = new TempFolder();
        var tensors = SampleTensors();

        SafeTensorsFile.Write(temp[FileName], tensors, SampleMetadata);
        using SafeTensorsContent content = SafeTensorsFile.Read(temp[FileName]);

        Assert.Equal(tensors.Select(t => t.Name), content.Tensors.Select(t => t.Name));
        foreach ((string name, Tensor original) in tensors)
        {
            Tensor read = content.Get(name);
            Assert.Equal(original.dtype, read.dtype);
            Assert.Equal(original.shape, read.shape);
            Assert.Equal(DeviceType.CPU, read.device_type);
            Assert.Equal(RawBytes(original), RawBytes(read));
        }
        Assert.Equal(
            SampleMetadata.OrderBy(p => p.Key, StringComparer.Ordinal),
            content.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Empty(content.Tensors[2].Tensor.shape);
        Assert.Equal(long.MinValue + 7, content.Get("step").item<long>());
    }

    public static TheoryData<string> OtherDtypes => new() { "F16", "BF16", "I32", "I16", "I8", "U8", "BOOL" };

    [Theory]
    [MemberData(nameof(OtherDtypes))]
    public void Every_other_dtype_of_the_format_round_trips(string dtype)
    {
        using var scope = NewDisposeScope();
        using var temp = new TempFolder();
        var floats = tensor(new float[] { 1.5f, -2f, 65504f, 0.099975586f, -0f, 3f }, [3, 2]);
        Tensor original = dtype switch
        {
            "F16" => floats.to(ScalarType.Float16),
            "BF16" => floats.to(ScalarType.BFloat16),
            "I32" => tensor(new[] { int.MinValue, -1, 0, 1, int.MaxValue, 7 }, [3, 2]),
            "I16" => tensor(new short[] { short.MinValue, -1, 0, 1, short.MaxValue, 7 }, [3, 2]),
            "I8" => tensor(new sbyte[] { sbyte.MinValue, -1, 0, 1, sbyte.MaxValue, 7 }, [3, 2]),
            "U8" => tensor(new byte[] { 0, 1, 2, 127, 128, 255 }, [3, 2]),
            "BOOL" => tensor(new[] { true, false, false, true, true, false }, [3, 2]),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
        };

        SafeTensorsFile.Write(temp[FileName], [("x", original)], null);
        using SafeTensorsContent content = SafeTensorsFile.Read(temp[FileName]);

        Assert.Equal(original.dtype, content.Get("x").dtype);
        Assert.Equal(original.shape, content.Get("x").shape);
        Assert.Equal(RawBytes(original), RawBytes(content.Get("x")));
        Assert.Equal(dtype, ParseIndependently(File.ReadAllBytes(temp[FileName])).Entries.Single().Dtype);
    }

    [Fact]
    public void Non_contiguous_views_and_views_into_a_larger_storage_write_only_their_own_elements_in_row_major_order()
    {
        using var scope = NewDisposeScope();
        using var temp = new TempFolder();
        Tensor matrix = Scalars.Arange(0, 12, ScalarType.Float32, CPU).reshape(3, 4);
        Tensor transposed = matrix.t();
        Tensor middleRows = matrix.narrow(0, 1, 2);
        Tensor column = matrix.select(1, 2);
        Tensor tracked = matrix.clone().requires_grad_(true);
        Assert.False(transposed.is_contiguous());

        SafeTensorsFile.Write(temp[FileName], [("t", transposed), ("rows", middleRows), ("column", column), ("tracked", tracked)], null);
        using SafeTensorsContent content = SafeTensorsFile.Read(temp[FileName]);

        Assert.Equal(new long[] { 4, 3 }, content.Get("t").shape);
        Assert.Equal(new float[] { 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, content.Get("t").data<float>().ToArray());
        Assert.Equal(new float[] { 4, 5, 6, 7, 8, 9, 10, 11 }, content.Get("rows").data<float>().ToArray());
        Assert.Equal(new float[] { 2, 6, 10 }, content.Get("column").data<float>().ToArray());
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (float)i), content.Get("tracked").data<float>().ToArray());
        Assert.False(content.Get("tracked").requires_grad);
    }

    [Fact]
    public void A_file_without_tensors_or_metadata_round_trips()
    {
        using var temp = new TempFolder();
        SafeTensorsFile.Write(temp[FileName], [], new Dictionary<string, string>());
        using SafeTensorsContent content = SafeTensorsFile.Read(temp[FileName]);
        Assert.Empty(content.Tensors);
        Assert.Empty(content.Metadata);
        Assert.Equal(16, new FileInfo(temp[FileName]).Length); // 8-byte length, then "{}" padded to 8 bytes
    }

    [Fact]
    public void Reading_from_a_stream_without_a_length_gives_the_same_content_and_names_the_given_source()
    {
        using var scope = NewDisposeScope();
        using var temp = new TempFolder();
        SafeTensorsFile.Write(temp[FileName], SampleTensors(), SampleMetadata);
        byte[] bytes = File.ReadAllBytes(temp[FileName]);

        using (SafeTensorsContent content = SafeTensorsFile.Read(new ForwardOnlyStream(bytes), "from-a-pipe"))
        {
            Assert.Equal(SampleTensors().Select(t => t.Name), content.Tensors.Select(t => t.Name));
            Assert.Equal(MatrixValues.Select(BitConverter.SingleToInt32Bits), content.Get("layer.0.weight").data<float>().ToArray().Select(BitConverter.SingleToInt32Bits));
        }
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Read(new ForwardOnlyStream(bytes[..^1]), "from-a-pipe"));
        Assert.StartsWith("from-a-pipe ", e.Message);
    }

    [Fact]
    public void Tensors_come_back_in_the_order_of_their_data_not_of_the_header_keys()
    {
        using var scope = NewDisposeScope();
        using var temp = new TempFolder();
        string json = """{"second":{"dtype":"I32","shape":[1],"data_offsets":[4,8]},"first":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}""";
        byte[] data = [1, 0, 0, 0, 2, 0, 0, 0];
        File.WriteAllBytes(temp[FileName], FileWithHeader(Encoding.UTF8.GetBytes(json), data));

        using SafeTensorsContent content = SafeTensorsFile.Read(temp[FileName]);

        Assert.Equal(["first", "second"], content.Tensors.Select(t => t.Name));
        Assert.Equal(1, content.Get("first").item<int>());
        Assert.Equal(2, content.Get("second").item<int>());
    }

    [Fact]
    public void Asking_for_a_missing_tensor_names_it_and_the_file()
    {
        using var scope = NewDisposeScope();
        using var temp = new TempFolder();
        SafeTensorsFile.Write(temp[FileName], SampleTensors(), null);
        using SafeTensorsContent content = SafeTensorsFile.Read(temp[FileName]);

        var e = Assert.Throws<InvalidDataException>(() => content.Get("layer.1.weight"));
        Assert.Contains("'layer.1.weight'", e.Message);
        Assert.Contains(FileName, e.Message);
    }

    [Fact]
    public void Disposing_the_content_disposes_its_tensors()
    {
        using var scope = NewDisposeScope();
        using var temp = new TempFolder();
        SafeTensorsFile.Write(temp[FileName], SampleTensors(), null);
        SafeTensorsContent content = SafeTensorsFile.Read(temp[FileName]);
        content.Dispose();
        Assert.All(content.Tensors, t => Assert.True(t.Tensor.IsInvalid));
    }

    // ---- the layout on disk ----

    [Fact]
    public void Writing_the_same_input_twice_gives_byte_identical_files_whatever_the_metadata_insertion_order()
    {
        using var scope = NewDisposeScope();
        using var temp = new TempFolder();
        var reversed = new Dictionary<string, string>();
        foreach ((string key, string value) in SampleMetadata.Reverse()) reversed[key] = value;

        SafeTensorsFile.Write(temp["a.safetensors"], SampleTensors(), SampleMetadata);
        SafeTensorsFile.Write(temp["b.safetensors"], SampleTensors(), SampleMetadata);
        SafeTensorsFile.Write(temp["c.safetensors"], SampleTensors(), reversed);

        Assert.Equal(File.ReadAllBytes(temp["a.safetensors"]), File.ReadAllBytes(temp["b.safetensors"]));
        Assert.Equal(File.ReadAllBytes(temp["a.safetensors"]), File.ReadAllBytes(temp["c.safetensors"]));
    }

    [Fact]
    public void The_data_buffer_starts_8_byte_aligned_whatever_the_header_length()
    {
        using var scope = NewDisposeScope();
        using var temp = new TempFolder();
        var paddings = new HashSet<int>();
        for (int nameLength = 1; nameLength <= 16; nameLength++)
        {
            string path = temp[$"aligned-{nameLength}.safetensors"];
            SafeTensorsFile.Write(path, [(new string('w', nameLength), ones(3))], null);
            byte[] bytes = File.ReadAllBytes(path);
            int headerLength = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
            Assert.Equal(0, (8 + headerLength) % 8);

            string header = Encoding.UTF8.GetString(bytes, 8, headerLength);
            string json = header.TrimEnd(' ');
            Assert.EndsWith("}", json);
            paddings.Add(headerLength - json.Length);
        }
        Assert.Equal(Enumerable.Range(0, 8), paddings.Order()); // every amount of padding occurred, and never 8 or more
    }

    [Fact]
    public void A_written_file_has_the_standard_layout_when_parsed_independently()
    {
        using var scope = NewDisposeScope();
        using var temp = new TempFolder();
        SafeTensorsFile.Write(temp[FileName], SampleTensors(), SampleMetadata);
        byte[] bytes = File.ReadAllBytes(temp[FileName]);

        Layout layout = ParseIndependently(bytes);

        Assert.Equal(SampleMetadata.OrderBy(p => p.Key, StringComparer.Ordinal), layout.Metadata);
        Assert.Equal(["layer.0.weight", "layer.0.bias", "step", "empty"], layout.Entries.Select(e => e.Name));
        Assert.Equal(["F32", "F64", "I64", "F32"], layout.Entries.Select(e => e.Dtype));
        Assert.Equal(new long[][] { [2, 3], [4], [], [0, 3] }, layout.Entries.Select(e => e.Shape));
        Assert.Equal([(0L, 24L), (24L, 56L), (56L, 64L), (64L, 64L)], layout.Entries.Select(e => (e.Begin, e.End)));
        Assert.Equal(layout.DataStart + 64, bytes.Length);

        // The data are the raw little-endian values, row-major, one tensor after the other.
        byte[] expected =
        [
            .. MemoryMarshal.AsBytes(MatrixValues.AsSpan()).ToArray(),
            .. MemoryMarshal.AsBytes(VectorValues.AsSpan()).ToArray(),
            .. BitConverter.GetBytes(long.MinValue + 7),
        ];
        Assert.Equal(expected, bytes[layout.DataStart..]);
    }

    // ---- refusing bad input when writing ----

    public static TheoryData<string> BadWrites => new()
    {
        "empty name", "reserved name", "repeated name", "unpaired surrogate in a name", "complex dtype", "too many dimensions",
        "null metadata value", "unpaired surrogate in metadata",
    };

    [Theory]
    [MemberData(nameof(BadWrites))]
    public void Writing_bad_input_throws_ArgumentException_and_creates_no_file(string badWrite)
    {
        using var scope = NewDisposeScope();
        using var temp = new TempFolder();
        Tensor x = ones(2);
        (string, Tensor)[] tensors = badWrite switch
        {
            "empty name" => [("", x)],
            "reserved name" => [("__metadata__", x)],
            "repeated name" => [("w", x), ("b", x), ("w", zeros(3))],
            "unpaired surrogate in a name" => [("w\ud800", x)],
            "complex dtype" => [("w", x.to(ScalarType.ComplexFloat32))],
            "too many dimensions" => [("w", ones(Enumerable.Repeat(1L, 65).ToArray()))],
            _ => [("w", x)],
        };
        Dictionary<string, string>? metadata = badWrite switch
        {
            "null metadata value" => new() { ["k"] = null! },
            "unpaired surrogate in metadata" => new() { ["k"] = "\udc00" },
            _ => null,
        };

        Assert.Throws<ArgumentException>(() => SafeTensorsFile.Write(temp[FileName], tensors, metadata));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void A_write_whose_file_cannot_be_created_fails_and_leaves_no_temporary_file()
    {
        using var scope = NewDisposeScope();
        using var temp = new TempFolder();
        // A folder where the file should go: the temporary file is written, but cannot be renamed over it.
        Directory.CreateDirectory(temp[FileName]);

        Exception? e = Record.Exception(() => SafeTensorsFile.Write(temp[FileName], SampleTensors(), SampleMetadata));

        Assert.True(e is IOException or UnauthorizedAccessException, $"unexpected {e?.GetType().Name ?? "success"}");
        Assert.Equal([temp[FileName]], Directory.EnumerateFileSystemEntries(temp.Path));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp[FileName]));
    }

    // ---- refusing corrupt files ----

    private const string OneF32 = """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""";

    private static string Entry(string name, string dtype, string shape, string offsets) =>
        "{\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}";

    // Each case: the file's bytes, and a phrase the message must hold (so that the right check fired).
    private static readonly Dictionary<string, (Func<byte[]> Bytes, string Phrase)> CorruptFiles = new()
    {
        ["empty file"] = (() => [], "too short"),
        ["seven bytes"] = (() => new byte[7], "too short"),
        ["header length 0"] = (() => new byte[16], "header length is 0"),
        ["header length beyond the file"] = (() => WithDeclaredLength(100, "{}"u8.ToArray()), "truncated"),
        ["header length absurd"] = (() => WithDeclaredLength(200_000_000, "{}"u8.ToArray()), "exceeds the limit"),
        ["header length 2^64-1"] = (() => WithDeclaredLength(ulong.MaxValue, "{}"u8.ToArray()), "exceeds the limit"),
        ["header not UTF-8"] = (() => FileWithHeader([(byte)'{', 0xFF, (byte)'}'], []), "not valid UTF-8"),
        ["header not JSON"] = (() => Json("""{"a":"""), "not valid JSON"),
        ["header with a trailing comma"] = (() => Json("""{"__metadata__":{"k":"v"},}"""), "not valid JSON"),
        ["header with a comment"] = (() => Json("""{} // none"""), "not valid JSON"),
        ["header with a byte-order mark"] = (() => FileWithHeader([0xEF, 0xBB, 0xBF, .. "{}"u8], []), "not valid JSON"),
        ["header an array"] = (() => Json("[]"), "JSON array, not an object"),
        ["header a number"] = (() => Json("42"), "JSON number, not an object"),
        ["entry not an object"] = (() => Json("""{"a":[1]}"""), "JSON array, not an object"),
        ["entry without dtype"] = (() => Json("""{"a":{"shape":[1],"data_offsets":[0,4]}}""", 4), "no \"dtype\""),
        ["entry without shape"] = (() => Json("""{"a":{"dtype":"F32","data_offsets":[0,4]}}""", 4), "no \"shape\""),
        ["entry without data_offsets"] = (() => Json("""{"a":{"dtype":"F32","shape":[1]}}""", 4), "no \"data_offsets\""),
        ["entry with an unknown field"] = (() => Json("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"stride":[1]}}""", 4), "unknown field"),
        ["entry with a repeated field"] = (() => Json("""{"a":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 4), "more than once"),
        ["unknown dtype"] = (() => Json(Entry("a", "F128", "[1]", "[0,16]"), 16), "unknown dtype"),
        ["lower-case dtype"] = (() => Json(Entry("a", "f32", "[1]", "[0,4]"), 4), "unknown dtype"),
        ["dtype a number"] = (() => Json("""{"a":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}""", 4), "not a string"),
        ["shape not an array"] = (() => Json(Entry("a", "F32", "1", "[0,4]"), 4), "not an array"),
        ["negative dimension"] = (() => Json(Entry("a", "F32", "[-1]", "[0,4]"), 4), "not a non-negative"),
        ["fractional dimension"] = (() => Json(Entry("a", "F32", "[1.5]", "[0,4]"), 4), "not a non-negative"),
        ["dimension in exponent form"] = (() => Json(Entry("a", "F32", "[1e0]", "[0,4]"), 4), "not a non-negative"),
        ["dimension a string"] = (() => Json(Entry("a", "F32", "[\"1\"]", "[0,4]"), 4), "not a non-negative"),
        ["dimension beyond 64 bits"] = (() => Json(Entry("a", "F32", "[9223372036854775808]", "[0,4]"), 4), "not a non-negative"),
        ["too many dimensions"] = (() => Json(Entry("a", "F32", $"[{string.Join(',', Enumerable.Repeat(1, 65))}]", "[0,4]"), 4), "dimensions"),
        ["element count overflows"] = (() => Json(Entry("a", "F32", "[4294967296,4294967296]", "[0,4]"), 4), "overflows"),
        ["byte count overflows"] = (() => Json(Entry("a", "F32", "[4611686018427387904]", "[0,4]"), 4), "overflows"),
        ["overflow hidden behind a zero dimension"] = (() => Json(Entry("a", "F32", "[0,9223372036854775807,2]", "[0,0]")), "overflows"),
        ["one offset"] = (() => Json(Entry("a", "F32", "[1]", "[4]"), 4), "data_offsets"),
        ["three offsets"] = (() => Json(Entry("a", "F32", "[1]", "[0,4,4]"), 4), "data_offsets"),
        ["negative offset"] = (() => Json(Entry("a", "F32", "[1]", "[-4,0]"), 4), "data_offsets"),
        ["fractional offset"] = (() => Json(Entry("a", "F32", "[1]", "[0,4.0]"), 4), "data_offsets"),
        ["offsets reversed"] = (() => Json(Entry("a", "F32", "[1]", "[4,0]"), 4), "data_offsets"),
        ["offsets a string"] = (() => Json(Entry("a", "F32", "[1]", "\"0,4\""), 4), "data_offsets"),
        ["offsets spanning the wrong size"] = (() => Json(Entry("a", "F32", "[2]", "[0,4]"), 4), "needs 8"),
        ["offsets beyond the buffer"] = (() => Json(Entry("a", "F32", "[2]", "[0,8]"), 4), "truncated"),
        ["offsets beyond 2^63"] = (() => Json(Entry("a", "F32", "[2]", "[18446744073709551607,18446744073709551615]"), 8), "truncated"),
        ["overlapping tensors"] = (() => Json("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12), "overlap"),
        ["an empty tensor inside another"] = (() => Json("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}""", 8), "overlap"),
        ["two tensors on the same bytes"] = (() => Json("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}""", 4), "overlap"),
        ["gap between tensors"] = (() => Json("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", 12), "belong to no tensor"),
        ["gap before the first tensor"] = (() => Json(Entry("a", "F32", "[1]", "[4,8]"), 8), "belong to no tensor"),
        ["trailing bytes"] = (() => Json(OneF32, 8), "trailing bytes"),
        ["data but no tensors"] = (() => Json("{}", 8), "no tensors"),
        ["metadata not an object"] = (() => Json("""{"__metadata__":"v"}"""), "not an object of strings"),
        ["metadata value not a string"] = (() => Json("""{"__metadata__":{"epoch":3}}"""), "not a string"),
        ["metadata value null"] = (() => Json("""{"__metadata__":{"epoch":null}}"""), "not a string"),
        ["metadata key repeated"] = (() => Json("""{"__metadata__":{"k":"1","k":"2"}}"""), "more than once"),
        ["metadata entry repeated"] = (() => Json("""{"__metadata__":{},"__metadata__":{}}"""), "more than one"),
        ["tensor name repeated"] = (() => Json("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8), "more than once"),
        ["tensor name empty"] = (() => Json(Entry("", "F32", "[1]", "[0,4]"), 4), "empty name"),
        ["tensor name an unpaired surrogate"] = (() => Json(Entry("\\ud800", "F32", "[1]", "[0,4]"), 4), "not valid Unicode"),
        ["boolean byte not 0 or 1"] = (() => Json(Entry("a", "BOOL", "[3]", "[0,3]"), [1, 0, 2]), "only 0 and 1"),
    };

    public static TheoryData<string> CorruptCases => new(CorruptFiles.Keys);

    [Theory]
    [MemberData(nameof(CorruptCases))]
    public void A_corrupt_file_is_refused_with_one_sentence_naming_the_file_and_the_problem(string corruption)
    {
        using var scope = NewDisposeScope();
        using var temp = new TempFolder();
        (Func<byte[]> bytes, string phrase) = CorruptFiles[corruption];
        File.WriteAllBytes(temp[FileName], bytes());

        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Read(temp[FileName]));

        AssertOneSentenceNamingTheFile(e.Message);
        Assert.Contains(phrase, e.Message);
    }

    public static TheoryData<string> Edits => new()
    {
        "header length one more", "header length one less", "dtype renamed", "padding replaced by a letter",
        "last byte removed", "one byte appended", "offset digit changed",
    };

    [Theory]
    [MemberData(nameof(Edits))]
    public void Editing_the_bytes_of_a_valid_file_makes_it_refused(string edit)
    {
        using var scope = NewDisposeScope();
        using var temp = new TempFolder();
        SafeTensorsFile.Write(temp[FileName], SampleTensors(), SampleMetadata);
        byte[] bytes = File.ReadAllBytes(temp[FileName]);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        int IndexInHeader(string text) => bytes.AsSpan(8, headerLength).IndexOf(Encoding.UTF8.GetBytes(text)) + 8;

        switch (edit)
        {
            case "header length one more": BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)headerLength + 1); break;
            case "header length one less": BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)headerLength - 1); break;
            case "dtype renamed": bytes[IndexInHeader("\"F64\"") + 2] = (byte)'5'; break;
            case "padding replaced by a letter":
                Assert.Equal((byte)' ', bytes[8 + headerLength - 1]); // the sample header is padded
                bytes[8 + headerLength - 1] = (byte)'x';
                break;
            case "last byte removed": bytes = bytes[..^1]; break;
            case "one byte appended": bytes = [.. bytes, 0]; break;
            case "offset digit changed": bytes[IndexInHeader("[24,56]") + 1] = (byte)'3'; break; // [34,56]: wrong size
            default: throw new ArgumentOutOfRangeException(nameof(edit));
        }
        File.WriteAllBytes(temp[FileName], bytes);

        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Read(temp[FileName]));
        AssertOneSentenceNamingTheFile(e.Message);
    }

    [Fact]
    public void Truncating_a_valid_file_at_every_97th_byte_is_detected()
    {
        using var scope = NewDisposeScope();
        using var temp = new TempFolder();
        var tensors = SampleTensors().Append(("big", Scalars.Arange(0, 500, ScalarType.Float32, CPU).reshape(20, 25))).ToArray();
        SafeTensorsFile.Write(temp[FileName], tensors, SampleMetadata);
        byte[] bytes = File.ReadAllBytes(temp[FileName]);
        Assert.True(bytes.Length > 20 * 97);

        for (int length = 0; length < bytes.Length; length += 97)
        {
            File.WriteAllBytes(temp[FileName], bytes[..length]);
            var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Read(temp[FileName]));
            AssertOneSentenceNamingTheFile(e.Message);
        }
    }

    private static void AssertOneSentenceNamingTheFile(string message)
    {
        Assert.StartsWith(FileName + " ", message);
        Assert.EndsWith(".", message);
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain(". ", message);
    }

    // ---- building files by hand ----

    private static byte[] Json(string header, int dataBytes = 0) => Json(header, new byte[dataBytes]);

    private static byte[] Json(string header, byte[] data) => FileWithHeader(Encoding.UTF8.GetBytes(header), data);

    private static byte[] FileWithHeader(byte[] header, byte[] data) => WithDeclaredLength((ulong)header.Length, [.. header, .. data]);

    private static byte[] WithDeclaredLength(ulong headerLength, byte[] rest)
    {
        var bytes = new byte[8 + rest.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength);
        rest.CopyTo(bytes, 8);
        return bytes;
    }

    // ---- an independent minimal parse, straight from the format description ----

    private sealed record LayoutEntry(string Name, string Dtype, long[] Shape, long Begin, long End);

    private sealed record Layout(int DataStart, List<KeyValuePair<string, string>> Metadata, List<LayoutEntry> Entries);

    private static Layout ParseIndependently(byte[] file)
    {
        int headerLength = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, headerLength));
        var metadata = new List<KeyValuePair<string, string>>();
        var entries = new List<LayoutEntry>();
        foreach (JsonProperty property in header.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__")
            {
                metadata.AddRange(property.Value.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetString()!)));
                continue;
            }
            JsonElement v = property.Value;
            long[] offsets = v.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
            Assert.Equal(2, offsets.Length);
            entries.Add(new LayoutEntry(
                property.Name,
                v.GetProperty("dtype").GetString()!,
                v.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
                offsets[0],
                offsets[1]));
        }
        return new Layout(8 + headerLength, metadata, entries);
    }

    /// <summary>A stream that can only be read forwards and has no length, like a pipe.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes, writable: false);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 5));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
