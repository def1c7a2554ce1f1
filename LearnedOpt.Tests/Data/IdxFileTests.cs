using System.IO.Compression;
using LearnedOpt.Tasks.Data;

namespace LearnedOpt.Tests.Data;

/// <summary>IDX files: the MNIST file format, plain or gzip, read strictly.</summary>
public class IdxFileTests
{
    public static TheoryData<int[], bool> Shapes => new()
    {
        { [17], false }, { [17], true },
        { [5, 3], false }, { [5, 3], true },
        { [4, 28, 28], false }, { [4, 28, 28], true },
        { [2, 3, 4, 5], true }, { [0, 28, 28], true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Writing_then_reading_returns_the_same_dimensions_and_bytes(int[] dimensions, bool gzip)
    {
        using var temp = new TempFolder();
        var data = new byte[dimensions.Aggregate(1, (a, b) => a * b)];
        new Random(dimensions.Sum()).NextBytes(data);
        string path = temp["array.idx"];

        IdxFile.Write(path, new IdxArray(dimensions, data), gzip);
        IdxArray read = IdxFile.Read(path);

        Assert.Equal(dimensions, read.Dimensions);
        Assert.Equal(data, read.Data);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void Compression_is_recognised_by_its_magic_bytes_not_by_the_file_name()
    {
        using var temp = new TempFolder();
        var array = new IdxArray([2, 2], [1, 2, 3, 4]);
        IdxFile.Write(temp["looks-plain"], array, gzip: true);
        IdxFile.Write(temp["looks-compressed.gz"], array, gzip: false);

        Assert.Equal(0x1f, File.ReadAllBytes(temp["looks-plain"])[0]);
        Assert.Equal(array.Data, IdxFile.Read(temp["looks-plain"]).Data);
        Assert.Equal(array.Data, IdxFile.Read(temp["looks-compressed.gz"]).Data);
    }

    [Fact]
    public void The_header_is_the_standard_one_two_zero_bytes_type_8_rank_then_big_endian_dimensions()
    {
        using var temp = new TempFolder();
        IdxFile.Write(temp["labels"], new IdxArray([258], new byte[258]), gzip: false);
        byte[] bytes = File.ReadAllBytes(temp["labels"]);
        Assert.Equal(new byte[] { 0, 0, 0x08, 1, 0, 0, 1, 2 }, bytes[..8]);
        Assert.Equal(8 + 258, bytes.Length);
    }

    [Fact]
    public void Writing_the_same_array_twice_gives_identical_files()
    {
        using var temp = new TempFolder();
        var array = new IdxArray([3, 28, 28], Enumerable.Range(0, 3 * 784).Select(i => (byte)(i * 31)).ToArray());
        IdxFile.Write(temp["a.gz"], array, gzip: true);
        IdxFile.Write(temp["b.gz"], array, gzip: true);
        Assert.Equal(File.ReadAllBytes(temp["a.gz"]), File.ReadAllBytes(temp["b.gz"]));
    }

    [Fact]
    public void Writing_an_array_whose_dimensions_do_not_match_its_data_fails_and_leaves_no_file()
    {
        using var temp = new TempFolder();
        Assert.Throws<ArgumentException>(() => IdxFile.Write(temp["bad.gz"], new IdxArray([2, 2], new byte[3]), gzip: true));
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void Writing_replaces_an_existing_file_completely()
    {
        using var temp = new TempFolder();
        IdxFile.Write(temp["x"], new IdxArray([100], new byte[100]), gzip: false);
        IdxFile.Write(temp["x"], new IdxArray([1], [7]), gzip: false);
        Assert.Equal(new byte[] { 7 }, IdxFile.Read(temp["x"]).Data);
    }

    public static TheoryData<string, byte[], string> Corrupt => new()
    {
        { "wrong-magic", [1, 2, 8, 1, 0, 0, 0, 1, 9], "not an IDX file" },
        { "too-short", [0, 0], "truncated" },
        { "truncated-header", [0, 0, 8, 3, 0, 0, 0, 2, 0, 0], "truncated" },
        { "truncated-data", [0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3], "need 6 data bytes, but it has 3" },
        { "extra-data", [0, 0, 8, 1, 0, 0, 0, 2, 1, 2, 3], "need 2 data bytes, but it has 3" },
        { "float-type", [0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0], "float32" },
        { "unknown-type", [0, 0, 0x42, 1, 0, 0, 0, 1, 0], "0x42" },
        { "rank-zero", [0, 0, 8, 0], "rank 0" },
        { "negative-dimension", [0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff], "negative" },
    };

    [Theory]
    [MemberData(nameof(Corrupt))]
    public void A_malformed_file_is_refused_with_a_message_naming_the_file_and_the_problem(string name, byte[] bytes, string problem)
    {
        using var temp = new TempFolder();
        string path = temp[name + "-idx1-ubyte"];
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));

        Assert.Contains(Path.GetFileName(path), e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Theory]
    [InlineData(0.5)]  // cut in the middle of the compressed data
    [InlineData(0.98)] // cut near the end
    [InlineData(-4)]   // only the last four bytes (the recorded length) missing
    public void A_truncated_gzip_file_is_refused_with_a_message_naming_the_file(double keep)
    {
        using var temp = new TempFolder();
        var data = new byte[4 * 784];
        new Random(3).NextBytes(data);
        string path = temp["train-images-idx3-ubyte.gz"];
        IdxFile.Write(path, new IdxArray([4, 28, 28], data), gzip: true);
        byte[] whole = File.ReadAllBytes(path);
        int length = keep < 0 ? whole.Length + (int)keep : (int)(whole.Length * keep);
        File.WriteAllBytes(path, whole[..length]);

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));

        Assert.Contains("train-images-idx3-ubyte.gz", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void A_gzip_file_holding_a_truncated_IDX_array_is_refused()
    {
        using var temp = new TempFolder();
        string path = temp["t10k-labels-idx1-ubyte.gz"];
        using (var file = File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            gzip.Write([0, 0, 8, 1, 0, 0, 0x27, 0x10, 1, 2, 3]); // declares 10000 labels, holds 3

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));

        Assert.Contains("t10k-labels-idx1-ubyte.gz is truncated", e.Message);
        Assert.Contains("10000", e.Message);
    }
}
