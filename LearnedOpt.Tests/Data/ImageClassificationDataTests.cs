using LearnedOpt.Tasks.Data;

namespace LearnedOpt.Tests.Data;

/// <summary>Image classification data: consistency checks and exact area downsampling.</summary>
public class ImageClassificationDataTests
{
    private static ImageClassificationData OneImage(int size, byte[] pixels) =>
        new("pattern", size, size, 10, pixels, [3], [], []);

    [Fact]
    public void Validate_accepts_consistent_data() =>
        Assert.Null(Record.Exception(DataFixtures.Random("ok", 20, 10).Validate));

    [Fact]
    public void Validate_names_a_split_whose_label_count_does_not_match_its_images()
    {
        var data = new ImageClassificationData("fixture", 28, 28, 10, new byte[3 * 784], new byte[4], [], []);
        var e = Assert.Throws<InvalidDataException>(data.Validate);
        Assert.Contains("fixture has 4 training labels", e.Message);
    }

    [Fact]
    public void Validate_names_a_label_outside_the_classes()
    {
        var data = new ImageClassificationData("fixture", 2, 2, 10, new byte[8], [1, 2], new byte[4], [10]);
        var e = Assert.Throws<InvalidDataException>(data.Validate);
        Assert.Contains("held-out label 10 at index 0 is not below the class count 10", e.Message);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(14)]
    [InlineData(5)]
    [InlineData(28)]
    public void A_constant_image_stays_constant(int size)
    {
        var data = OneImage(28, Enumerable.Repeat((byte)137, 784).ToArray()).Downsample(size);
        Assert.Equal(size * size, data.TrainImages.Length);
        Assert.All(data.TrainImages, p => Assert.Equal(137, p));
    }

    [Fact]
    public void Four_by_four_to_two_by_two_averages_each_block_and_rounds_halves_up()
    {
        byte[] image =
        [
            1, 2, 3, 4,
            5, 6, 7, 8,
            9, 10, 11, 12,
            13, 14, 15, 16,
        ];
        // Block means 3.5, 5.5, 11.5, 13.5.
        Assert.Equal(new byte[] { 4, 6, 12, 14 }, OneImage(4, image).Downsample(2).TrainImages);
    }

    [Fact]
    public void Twenty_eight_to_eight_weights_partly_covered_pixels_by_the_covered_fraction()
    {
        // Each output pixel averages a 3.5×3.5 window. Input column 3 spans [3, 4): half of it lies in
        // output column 0 ([0, 3.5)) and half in output column 1 ([3.5, 7)).
        var column = new byte[784];
        for (int y = 0; y < 28; y++) column[y * 28 + 3] = 255;
        byte[] fromColumn = OneImage(28, column).Downsample(8).TrainImages;
        for (int oy = 0; oy < 8; oy++)
        {
            // 255 · 0.5 / 3.5 = 36.43 → 36
            Assert.Equal(new byte[] { 36, 36, 0, 0, 0, 0, 0, 0 }, fromColumn[(oy * 8)..(oy * 8 + 8)]);
        }

        // A single pixel at (3, 3) is split in four quarters, one per window around (3.5, 3.5):
        // 245 · 0.25 / 12.25 = 5.
        var dot = new byte[784];
        dot[3 * 28 + 3] = 245;
        byte[] fromDot = OneImage(28, dot).Downsample(8).TrainImages;
        var expected = new byte[64];
        expected[0] = expected[1] = expected[8] = expected[9] = 5;
        Assert.Equal(expected, fromDot);
    }

    [Fact]
    public void Twenty_eight_to_fourteen_equals_the_rounded_means_of_two_by_two_blocks()
    {
        ImageClassificationData data = DataFixtures.Random("random", 3, 2, seed: 7);
        ImageClassificationData small = data.Downsample(14);

        foreach (var (big, little) in new[] { (data.TrainImages, small.TrainImages), (data.TestImages, small.TestImages) })
        {
            for (int n = 0; n < big.Length / 784; n++)
            {
                for (int y = 0; y < 14; y++)
                {
                    for (int x = 0; x < 14; x++)
                    {
                        int At(int dy, int dx) => big[n * 784 + (2 * y + dy) * 28 + 2 * x + dx];
                        int sum = At(0, 0) + At(0, 1) + At(1, 0) + At(1, 1);
                        Assert.Equal((sum + 2) / 4, little[n * 196 + y * 14 + x]);
                    }
                }
            }
        }
    }

    [Fact]
    public void Downsampling_keeps_the_labels_and_counts_and_names_the_size()
    {
        ImageClassificationData data = DataFixtures.Random("fixture", 20, 10);
        ImageClassificationData small = data.Downsample(8);

        Assert.Equal(("fixture-8x8", 8, 8, 10), (small.Name, small.Height, small.Width, small.ClassCount));
        Assert.Equal(data.TrainLabels, small.TrainLabels);
        Assert.Equal(data.TestLabels, small.TestLabels);
        Assert.Equal(20 * 64, small.TrainImages.Length);
        Assert.Equal(10 * 64, small.TestImages.Length);
    }

    [Fact]
    public void Downsampling_to_a_larger_size_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DataFixtures.Random("fixture", 1, 1).Downsample(29));
    }
}
