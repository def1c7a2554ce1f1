namespace LearnedOpt.Tasks.Data;

/// <summary>
/// A grey-scale image classification data set held in memory: a training split and a held-out split,
/// each as row-major pixel bytes (0–255, <c>count·Height·Width</c> of them) and one label byte per image.
/// </summary>
/// <remarks>
/// The arrays are not copied; instances returned by <see cref="EmbeddedDatasets"/> are shared, so treat
/// the arrays as read-only.
/// </remarks>
public sealed class ImageClassificationData
{
    /// <summary>Creates the data set from its arrays (not copied). Call <see cref="Validate"/> to check them.</summary>
    public ImageClassificationData(
        string name, int height, int width, int classCount,
        byte[] trainImages, byte[] trainLabels, byte[] testImages, byte[] testLabels)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classCount, 256); // labels are bytes
        Name = name;
        Height = height;
        Width = width;
        ClassCount = classCount;
        TrainImages = trainImages ?? throw new ArgumentNullException(nameof(trainImages));
        TrainLabels = trainLabels ?? throw new ArgumentNullException(nameof(trainLabels));
        TestImages = testImages ?? throw new ArgumentNullException(nameof(testImages));
        TestLabels = testLabels ?? throw new ArgumentNullException(nameof(testLabels));
    }

    /// <summary>A short name for messages and file provenance, such as <c>fashion-mnist</c>.</summary>
    public string Name { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Number of classes; every label is below it.</summary>
    public int ClassCount { get; }

    /// <summary>Training images, <see cref="TrainCount"/>·<see cref="Height"/>·<see cref="Width"/> bytes, row-major.</summary>
    public byte[] TrainImages { get; }

    /// <summary>One label per training image.</summary>
    public byte[] TrainLabels { get; }

    /// <summary>Held-out images, <see cref="TestCount"/>·<see cref="Height"/>·<see cref="Width"/> bytes, row-major.</summary>
    public byte[] TestImages { get; }

    /// <summary>One label per held-out image.</summary>
    public byte[] TestLabels { get; }

    /// <summary>Number of training images (the number of training labels).</summary>
    public int TrainCount => TrainLabels.Length;

    /// <summary>Number of held-out images (the number of held-out labels).</summary>
    public int TestCount => TestLabels.Length;

    /// <summary>Pixels in one image.</summary>
    public int PixelsPerImage => Height * Width;

    /// <summary>
    /// Checks that each split has one label per image and that every label is below
    /// <see cref="ClassCount"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The arrays are inconsistent; the message says how.</exception>
    public void Validate()
    {
        CheckSplit("training", TrainImages, TrainLabels);
        CheckSplit("held-out", TestImages, TestLabels);
    }

    /// <summary>
    /// Returns a copy with <paramref name="size"/>×<paramref name="size"/> images made by exact area
    /// averaging: each output pixel is the mean of the input area it covers, with input pixels that it
    /// covers only partly weighted by the covered fraction (28→8 averages 3.5×3.5-pixel windows), rounded
    /// to the nearest byte (halves up). Labels are shared with this instance, not copied.
    /// </summary>
    /// <param name="size">Output height and width, from 1 to the input's height and width.</param>
    public ImageClassificationData Downsample(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (size > Height || size > Width)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"Cannot downsample {Height}×{Width} images to a larger size {size}×{size}.");
        Validate();
        var resampler = new AreaResampler(Height, Width, size, size);
        return new ImageClassificationData(
            $"{Name}-{size}x{size}", size, size, ClassCount,
            resampler.ResampleAll(TrainImages), TrainLabels,
            resampler.ResampleAll(TestImages), TestLabels);
    }

    private void CheckSplit(string split, byte[] images, byte[] labels)
    {
        if (images.Length != (long)labels.Length * PixelsPerImage)
            throw new InvalidDataException(
                $"{Name} has {labels.Length} {split} labels but {images.Length} {split} pixel bytes; at {Height}×{Width} that is " +
                $"{(double)images.Length / PixelsPerImage:0.##} images, not one per label.");
        CheckLabels($"{Name} {split}", labels, ClassCount);
    }

    /// <summary>Checks that every label is below the class count.</summary>
    /// <param name="owner">What holds the labels, for the message: a split such as <c>mnist training</c>, or a file name.</param>
    /// <param name="labels">The labels.</param>
    /// <param name="classCount">The number of classes.</param>
    /// <exception cref="InvalidDataException">A label is too large; the message names the owner, the label and its index.</exception>
    internal static void CheckLabels(string owner, ReadOnlySpan<byte> labels, int classCount)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classCount)
                throw new InvalidDataException($"{owner} label {labels[i]} at index {i} is not below the class count {classCount}.");
        }
    }
}
