using LearnedOpt.IO;
using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.Tests.IO;

/// <summary>
/// <see cref="SafeTensorsFormat"/>: a format over safetensors writes its name and version, and reading refuses
/// each kind of bad file with one sentence in the format's wording, naming the file and the key or tensor.
/// </summary>
public class SafeTensorsFormatTests
{
    private const string File = "widget.safetensors";

    // Reads versions 1 and 2, writes 2; default wording.
    private static readonly SafeTensorsFormat Widget = new("test.widget", [1, 2]);

    private static readonly (string, ScalarType)[] Precisions = [("half", ScalarType.Float16), ("single", ScalarType.Float32)];

    private static Dictionary<string, string> Good() => new()
    {
        ["format"] = "test.widget",
        ["format_version"] = "2",
        ["name"] = "sprocket",
        ["count"] = "12",
        ["seed"] = "-9000000000",
        ["rate"] = "0.25",
        ["shiny"] = "true",
        ["precision"] = "half",
        ["note.by"] = "tests",
        ["note.when"] = "today",
    };

    private static (string Name, Tensor Tensor)[] GoodTensors() =>
    [
        ("weight", ones(2, 3)),
        ("steps", tensor(new long[] { 0, 5 })),
    ];

    private static SafeTensorSpec[] Schema() =>
    [
        new("weight", [2, 3], ScalarType.Float32),
        new("steps", [2], ScalarType.Int64),
    ];

    // Writes a file with the plain writer, so tests can give it anything the format itself would never write.
    private static string Written(TempFolder temp, Action<Dictionary<string, string>>? metadata = null, Func<(string, Tensor)[], (string, Tensor)[]>? tensors = null)
    {
        var meta = Good();
        metadata?.Invoke(meta);
        SafeTensorsFile.Write(temp[File], tensors is null ? GoodTensors() : tensors(GoodTensors()), meta);
        return temp[File];
    }

    private static string Refusal(Action read) => Assert.Throws<InvalidDataException>(read).Message;

    private static string ReadRefusal(string path, SafeTensorsFormat? format = null) =>
        Refusal(() => (format ?? Widget).Read(path).Dispose());

    private static string MetadataRefusal(TempFolder temp, Action<Dictionary<string, string>> metadata, Action<SafeTensorsDocument> get)
    {
        using var document = Widget.Read(Written(temp, metadata));
        return Refusal(() => get(document));
    }

    private static string TensorRefusal(TempFolder temp, Func<(string, Tensor)[], (string, Tensor)[]> tensors, SafeTensorSpec[]? schema = null, SafeTensorsWording? wording = null)
    {
        using var document = Widget.Read(Written(temp, tensors: tensors));
        return Refusal(() => document.CheckTensors(schema ?? Schema(), wording));
    }

    // ---- writing ----

    [Fact]
    public void Write_adds_the_format_and_its_current_version_and_the_bytes_do_not_depend_on_key_order()
    {
        using var temp = new TempFolder();
        Widget.Write(temp["a.safetensors"], GoodTensors(), new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" });
        Widget.Write(temp["b.safetensors"], GoodTensors(), new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" });

        using var content = SafeTensorsFile.Read(temp["a.safetensors"]);
        Assert.Equal("test.widget", content.Metadata["format"]);
        Assert.Equal("2", content.Metadata["format_version"]);
        Assert.Equal(System.IO.File.ReadAllBytes(temp["a.safetensors"]), System.IO.File.ReadAllBytes(temp["b.safetensors"]));
    }

    [Fact]
    public void Write_refuses_metadata_that_sets_the_format_or_version_itself()
    {
        using var temp = new TempFolder();
        var e = Assert.Throws<ArgumentException>(() => Widget.Write(temp[File], GoodTensors(), new Dictionary<string, string> { ["format_version"] = "7" }));
        Assert.StartsWith("The metadata of a test.widget file gets 'format' and 'format_version' from its format; do not set them.", e.Message);
        Assert.False(System.IO.File.Exists(temp[File]));
    }

    [Fact]
    public void A_format_needs_positive_ascending_versions()
    {
        Assert.Throws<ArgumentException>(() => new SafeTensorsFormat("x", []));
        Assert.Throws<ArgumentException>(() => new SafeTensorsFormat("x", [0]));
        Assert.Throws<ArgumentException>(() => new SafeTensorsFormat("x", [2, 1]));
        Assert.Throws<ArgumentException>(() => new SafeTensorsFormat("", [1]));
        Assert.Equal(3, new SafeTensorsFormat("x", [1, 3]).CurrentVersion);
    }

    // ---- format and version ----

    [Fact]
    public void Every_version_the_format_lists_is_read_and_reported()
    {
        using var temp = new TempFolder();
        using (var current = Widget.Read(Written(temp))) Assert.Equal(2, current.Version);
        using var old = Widget.Read(Written(temp, m => m["format_version"] = "1"));
        Assert.Equal(1, old.Version);
        Assert.Equal(File, old.File);
    }

    [Fact]
    public void An_unknown_format_is_refused_with_the_format_it_names()
    {
        using var temp = new TempFolder();
        Assert.Equal("widget.safetensors holds 'test.gadget', not test.widget.", ReadRefusal(Written(temp, m => m["format"] = "test.gadget")));
    }

    [Fact]
    public void A_file_without_a_format_is_refused_as_a_missing_key_unless_the_format_words_it_otherwise()
    {
        using var temp = new TempFolder();
        string path = Written(temp, m => m.Remove("format"));
        Assert.Equal("widget.safetensors has no metadata entry 'format'.", ReadRefusal(path));
        var worded = Widget with { Wording = Widget.Wording with { MissingFormat = "{file} is not a widget (it names no format; {format} expected)." } };
        Assert.Equal("widget.safetensors is not a widget (it names no format; test.widget expected).", ReadRefusal(path, worded));
    }

    [Theory]
    [InlineData("3")]
    [InlineData("0")]
    [InlineData("two")]
    public void A_version_the_format_does_not_list_is_refused_with_the_versions_it_reads(string version)
    {
        using var temp = new TempFolder();
        Assert.Equal($"widget.safetensors has format version {version}; this LearnedOpt reads version 1 or 2.",
            ReadRefusal(Written(temp, m => m["format_version"] = version)));
    }

    [Fact]
    public void A_missing_version_is_refused_in_the_format_s_wording()
    {
        using var temp = new TempFolder();
        string path = Written(temp, m => m.Remove("format_version"));
        Assert.Equal("widget.safetensors has no metadata entry 'format_version'.", ReadRefusal(path));
        var worded = Widget with { Wording = Widget.Wording with { MissingVersion = "{file} predates versions; this reader needs {versions}." } };
        Assert.Equal("widget.safetensors predates versions; this reader needs 1 or 2.", ReadRefusal(path, worded));
    }

    [Fact]
    public void Messages_name_the_file_as_the_caller_asks()
    {
        using var temp = new TempFolder();
        string path = Written(temp, m => m["format"] = "other");
        Assert.Equal($"{path} holds 'other', not test.widget.", Refusal(() => Widget.Read(path, displayName: path).Dispose()));
    }

    [Fact]
    public void A_file_that_is_not_safetensors_is_refused_by_the_strict_reader()
    {
        using var temp = new TempFolder();
        System.IO.File.WriteAllBytes(temp[File], "not a tensor file"u8.ToArray());
        Assert.StartsWith("widget.safetensors is not a safetensors file", ReadRefusal(temp[File]));
    }

    // ---- typed metadata ----

    [Fact]
    public void Typed_getters_read_what_was_written()
    {
        using var temp = new TempFolder();
        using var document = Widget.Read(Written(temp));
        Assert.Equal("sprocket", document.RequireString("name"));
        Assert.Equal(12, document.RequireInt("count"));
        Assert.Equal(-9_000_000_000L, document.RequireLong("seed"));
        Assert.Equal(0.25, document.RequireDouble("rate"));
        Assert.True(document.RequireBool("shiny"));
        Assert.Equal(ScalarType.Float16, document.RequireEnum("precision", Precisions));
        Assert.Equal(new Dictionary<string, string> { ["by"] = "tests", ["when"] = "today" }, document.WithPrefix("note."));
    }

    [Fact]
    public void Optional_getters_give_the_fallback_only_when_the_key_is_absent()
    {
        using var temp = new TempFolder();
        using var document = Widget.Read(Written(temp));
        Assert.Null(document.OptionalString("colour"));
        Assert.Equal(7, document.OptionalInt("missing", 7));
        Assert.Equal(12, document.OptionalInt("count", 7));
        Assert.Equal(-1L, document.OptionalLong("missing", -1));
        Assert.False(document.OptionalBool("missing", false));
        Assert.True(document.OptionalBool("shiny", false));
        Assert.Equal(ScalarType.Float32, document.OptionalEnum("missing", ScalarType.Float32, Precisions));
    }

    [Fact]
    public void A_missing_key_is_refused_naming_the_file_and_the_key()
    {
        using var temp = new TempFolder();
        Assert.Equal("widget.safetensors has no metadata entry 'count'.", MetadataRefusal(temp, m => m.Remove("count"), d => d.RequireInt("count")));
    }

    public static TheoryData<string, string, string> WrongTypes => new()
    {
        { "count", "12.5", "widget.safetensors: metadata 'count' = '12.5' is not a whole number." },
        { "count", "3000000000", "widget.safetensors: metadata 'count' = '3000000000' is not a whole number." },
        { "seed", "many", "widget.safetensors: metadata 'seed' = 'many' is not a whole number." },
        { "rate", "fast", "widget.safetensors: metadata 'rate' = 'fast' is not a number." },
        { "rate", "NaN", "widget.safetensors: metadata 'rate' = 'NaN' is not a number." },
        { "shiny", "yes", "widget.safetensors: metadata 'shiny' = 'yes' is neither true nor false." },
        { "precision", "double", "widget.safetensors: metadata 'precision' = 'double' is not one of half or single." },
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public void A_value_of_the_wrong_type_is_refused_with_the_key_and_the_value(string key, string value, string expected)
    {
        using var temp = new TempFolder();
        Action<SafeTensorsDocument> get = key switch
        {
            "count" => d => d.RequireInt(key),
            "seed" => d => d.RequireLong(key),
            "rate" => d => d.RequireDouble(key),
            "shiny" => d => d.OptionalBool(key, false),
            "precision" => d => d.OptionalEnum(key, ScalarType.Float32, Precisions),
            _ => throw new ArgumentOutOfRangeException(nameof(key)),
        };
        Assert.Equal(expected, MetadataRefusal(temp, m => m[key] = value, get));
    }

    [Fact]
    public void An_unknown_spelling_can_be_refused_in_the_caller_s_words()
    {
        using var temp = new TempFolder();
        Assert.Equal("widget.safetensors has unknown precision 'double'; expected half or single.",
            MetadataRefusal(temp, m => m["precision"] = "double", d => d.RequireEnum("precision", Precisions, "{file} has unknown {key} '{value}'; expected {expected}.")));
    }

    [Fact]
    public void A_format_can_word_every_metadata_problem_its_own_way()
    {
        using var temp = new TempFolder();
        var worded = Widget with { Wording = Widget.Wording with { MissingKey = "{file} lacks {key}; rebuild the widget." } };
        using var document = worded.Read(Written(temp));
        Assert.Equal("widget.safetensors lacks colour; rebuild the widget.", Refusal(() => document.RequireString("colour")));
    }

    [Fact]
    public void A_template_with_an_unknown_placeholder_is_a_mistake_in_the_format_not_in_the_file()
    {
        using var temp = new TempFolder();
        var typo = Widget with { Wording = Widget.Wording with { MissingKey = "{file} has no {kee}." } };
        using var document = typo.Read(Written(temp));
        Assert.Contains("{kee}", Assert.Throws<ArgumentException>(() => document.RequireString("colour")).Message);
    }

    [Fact]
    public void Values_are_put_into_messages_as_they_are_even_if_they_look_like_placeholders()
    {
        using var temp = new TempFolder();
        Assert.Equal("widget.safetensors: metadata 'count' = '{file}' is not a whole number.", MetadataRefusal(temp, m => m["count"] = "{file}", d => d.RequireInt("count")));
    }

    // ---- tensor schema ----

    [Fact]
    public void The_schema_gives_back_the_tensors_in_its_order()
    {
        using var temp = new TempFolder();
        using var document = Widget.Read(Written(temp));
        var tensors = document.CheckTensors([.. Schema().Reverse()]);
        Assert.Equal([2L], tensors[0].shape);
        Assert.Equal([2L, 3L], tensors[1].shape);
    }

    [Fact]
    public void Tensors_the_schema_does_not_declare_are_refused_all_named_in_file_order()
    {
        using var temp = new TempFolder();
        Assert.Equal("widget.safetensors has tensors test.widget does not use: surprise, extra.",
            TensorRefusal(temp, t => [.. t, ("surprise", zeros(1)), ("extra", zeros(1))]));
    }

    [Fact]
    public void A_missing_tensor_is_refused_by_name()
    {
        using var temp = new TempFolder();
        Assert.Equal("widget.safetensors has no tensor named 'steps'.", TensorRefusal(temp, t => [t[0]]));
    }

    [Fact]
    public void A_tensor_of_another_dtype_is_refused_with_the_dtypes_allowed()
    {
        using var temp = new TempFolder();
        Assert.Equal("widget.safetensors: tensor 'weight' is Float64, not float32.", TensorRefusal(temp, t => [("weight", ones(2, 3, dtype: ScalarType.Float64)), t[1]]));
        SafeTensorSpec[] either = [new("weight", [2, 3], [ScalarType.Float16, ScalarType.Float32]), Schema()[1]];
        Assert.Equal("widget.safetensors: tensor 'weight' is Float64, not float16 or float32.",
            TensorRefusal(temp, t => [("weight", ones(2, 3, dtype: ScalarType.Float64)), t[1]], either));
    }

    [Fact]
    public void A_tensor_of_another_shape_is_refused_with_both_shapes()
    {
        using var temp = new TempFolder();
        Assert.Equal("widget.safetensors: tensor 'weight' has shape [3, 2]; expected [2, 3].", TensorRefusal(temp, t => [("weight", ones(3, 2)), t[1]]));
    }

    [Fact]
    public void A_non_finite_value_is_refused_unless_the_tensor_is_declared_to_allow_it()
    {
        using var temp = new TempFolder();
        (string, Tensor)[] WithInfinity((string, Tensor)[] t) => [("weight", Scalars.Full([2, 3], double.PositiveInfinity, ScalarType.Float32, CPU)), t[1]];
        Assert.Equal("widget.safetensors: tensor 'weight' contains NaN or infinite values.", TensorRefusal(temp, WithInfinity));

        using var document = Widget.Read(Written(temp, tensors: WithInfinity));
        var tensors = document.CheckTensors([Schema()[0] with { Finite = false }, Schema()[1]]);
        Assert.True(tensors[0].isinf().all().item<bool>());
    }

    [Fact]
    public void The_checks_run_extra_tensors_first_then_tensor_by_tensor_in_schema_order()
    {
        using var temp = new TempFolder();
        // Both tensors are wrong and there is an extra one: the extra is reported.
        (string, Tensor)[] AllWrong((string, Tensor)[] t) => [("weight", ones(3, 2)), ("steps", zeros(2)), ("surprise", zeros(1))];
        Assert.Equal("widget.safetensors has tensors test.widget does not use: surprise.", TensorRefusal(temp, AllWrong));
        // Without it, the first tensor in schema order is.
        Assert.Equal("widget.safetensors: tensor 'steps' is Float32, not int64.", TensorRefusal(temp, t => AllWrong(t)[..2], [.. Schema().Reverse()]));
    }

    [Fact]
    public void The_tensor_wording_can_be_given_for_the_check_and_for_one_tensor()
    {
        using var temp = new TempFolder();
        var check = Widget.Wording with { WrongShape = "{file}: '{name}' is {shape}, but a 2-by-3 widget needs {expected}." };
        Assert.Equal("widget.safetensors: 'weight' is [3, 2], but a 2-by-3 widget needs [2, 3].",
            TensorRefusal(temp, t => [("weight", ones(3, 2)), t[1]], wording: check));

        SafeTensorSpec[] own = [Schema()[0] with { Wording = Widget.Wording with { NotFinite = "{file} has a broken {name}." } }, Schema()[1]];
        Assert.Equal("widget.safetensors has a broken weight.",
            TensorRefusal(temp, t => [("weight", Scalars.Full([2, 3], double.NaN, ScalarType.Float32, CPU)), t[1]], own, check));
    }
}
