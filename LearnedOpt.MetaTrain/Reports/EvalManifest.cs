using System.Text.Encodings.Web;
using System.Text.Json;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>
/// What a report needs from an evaluation's <c>eval.json</c>: the exact command line and the grid. Only
/// <c>format</c>, <c>format_version</c> and <c>command</c> are required; other fields are ignored.
/// </summary>
/// <param name="Command">The command line that produced the evaluation, as run.</param>
/// <param name="GridJson">The <c>grid</c> object, indented; null when the file has none.</param>
public sealed record EvalManifest(string Command, string? GridJson)
{
    /// <summary>The value of <c>format</c>.</summary>
    public const string Format = "learnedopt.eval";

    /// <summary>The <c>format_version</c> this version reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>Reads and checks <paramref name="path"/>; anything unexpected is an <see cref="InvalidDataException"/> naming the file.</summary>
    public static EvalManifest Read(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"{path} does not exist; an evaluation folder records its command in it.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON ({e.Message}).");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path} is not an evaluation record: expected a JSON object.");
            if (!root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != Format)
                throw new InvalidDataException($"{path} is not an evaluation record: \"format\" should be \"{Format}\".");
            if (!root.TryGetProperty("format_version", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out int v))
                throw new InvalidDataException($"{path} has no whole-number \"format_version\".");
            if (v != FormatVersion)
                throw new InvalidDataException($"{path} has format_version {v}; this LearnedOpt reads version {FormatVersion}.");
            if (!root.TryGetProperty("command", out var command) || command.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{path} has no \"command\" string.");
            string? grid = root.TryGetProperty("grid", out var g) && g.ValueKind != JsonValueKind.Null ? Indented(g) : null;
            return new EvalManifest(command.GetString()!, grid);
        }
    }

    // One top-level field per line, each value on one line ("widths": [32, 64, 128]); numbers keep their written form
    // and strings keep "μ" instead of a \u escape.
    private static string Indented(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object) return Inline(element);
        var fields = element.EnumerateObject().Select(p => $"  {Quote(p.Name)}: {Inline(p.Value)}").ToList();
        return fields.Count == 0 ? "{}" : "{\n" + string.Join(",\n", fields) + "\n}";
    }

    private static string Inline(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => "[" + string.Join(", ", element.EnumerateArray().Select(Inline)) + "]",
        JsonValueKind.Object => "{" + string.Join(", ", element.EnumerateObject().Select(p => $"{Quote(p.Name)}: {Inline(p.Value)}")) + "}",
        JsonValueKind.String => Quote(element.GetString()!),
        _ => element.GetRawText(),
    };

    private static string Quote(string text) => JsonSerializer.Serialize(text, QuoteOptions);

    private static readonly JsonSerializerOptions QuoteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
