using System.Globalization;
using static TorchSharp.torch;

namespace LearnedOpt.IO;

/// <summary>
/// A LearnedOpt file format built on safetensors: the <c>format</c> name its metadata carries, the
/// <c>format_version</c>s this code reads (it writes the last), and how it words refusals. <see cref="Write"/> adds
/// the two keys to the format's own metadata; <see cref="Read(string, string?)"/> checks them and hands back a
/// <see cref="SafeTensorsDocument"/> whose typed getters and tensor schema check refuse in the same wording. Each
/// format file then only declares its keys and tensors.
/// </summary>
public sealed record SafeTensorsFormat
{
    /// <summary>The metadata key naming the format.</summary>
    public const string FormatKey = "format";

    /// <summary>The metadata key holding the format's version (an integer).</summary>
    public const string VersionKey = "format_version";

    /// <summary>A format called <paramref name="name"/> that reads <paramref name="versions"/> (ascending; the last is written).</summary>
    /// <exception cref="ArgumentException">The name is empty, or the versions are empty, not positive or not ascending.</exception>
    public SafeTensorsFormat(string name, IReadOnlyList<int> versions)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(versions);
        if (versions.Count == 0 || versions[0] < 1 || versions.Zip(versions.Skip(1)).Any(p => p.First >= p.Second))
            throw new ArgumentException($"Format {name} needs one or more positive versions in ascending order.", nameof(versions));
        Name = name;
        Versions = versions.ToArray();
    }

    /// <summary>The value of the <c>format</c> key.</summary>
    public string Name { get; }

    /// <summary>The <c>format_version</c>s this code reads, ascending.</summary>
    public IReadOnlyList<int> Versions { get; }

    /// <summary>The version written: the newest one read.</summary>
    public int CurrentVersion => Versions[^1];

    /// <summary>How refusals are worded (<see cref="SafeTensorsWording.Default"/> unless the format words its own).</summary>
    public SafeTensorsWording Wording { get; init; } = SafeTensorsWording.Default;

    /// <summary>
    /// Writes a file of this format (atomically, through <see cref="SafeTensorsFile.Write"/>): <paramref name="metadata"/>
    /// plus <c>format</c> and <c>format_version</c> (<see cref="CurrentVersion"/>). Metadata keys are written in ordinal
    /// order whatever order they are given in, so the bytes depend only on the content.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="metadata"/> sets <c>format</c> or <c>format_version</c> itself, or <see cref="SafeTensorsFile.Write"/> refuses the content.</exception>
    public void Write(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.ContainsKey(FormatKey) || metadata.ContainsKey(VersionKey))
            throw new ArgumentException($"The metadata of a {Name} file gets '{FormatKey}' and '{VersionKey}' from its format; do not set them.", nameof(metadata));
        var all = new Dictionary<string, string>(metadata, StringComparer.Ordinal)
        {
            [FormatKey] = Name,
            [VersionKey] = CurrentVersion.ToString(CultureInfo.InvariantCulture),
        };
        SafeTensorsFile.Write(path, tensors, all);
    }

    /// <summary>
    /// Reads <paramref name="path"/> and checks that it is of this format and of a version read here. The caller
    /// disposes the document (it owns the tensors).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="displayName">How messages name the file (<c>{file}</c>); its file name if null.</param>
    /// <exception cref="InvalidDataException">The file is not well-formed safetensors, or not of this format or a version read here.</exception>
    public SafeTensorsDocument Read(string path, string? displayName = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var content = SafeTensorsFile.Read(path);
        try
        {
            var document = new SafeTensorsDocument(this, content, displayName ?? Path.GetFileName(path));
            document.CheckFormatAndVersion();
            return document;
        }
        catch
        {
            content.Dispose();
            throw;
        }
    }
}
