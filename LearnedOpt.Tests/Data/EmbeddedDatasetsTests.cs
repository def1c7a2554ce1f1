using LearnedOpt.Tasks.Data;

namespace LearnedOpt.Tests.Data;

/// <summary>Fashion-MNIST 8×8 ships inside LearnedOpt.Tasks.</summary>
public class EmbeddedDatasetsTests
{
    private static readonly ImageClassificationData Data = EmbeddedDatasets.FashionMnist8();

    [Fact]
    public void It_holds_60000_training_and_10000_held_out_8x8_images_in_10_classes()
    {
        Assert.Equal((8, 8, 10), (Data.Height, Data.Width, Data.ClassCount));
        Assert.Equal((60000, 10000), (Data.TrainCount, Data.TestCount));
        Assert.Equal(60000 * 64, Data.TrainImages.Length);
        Assert.Equal(10000 * 64, Data.TestImages.Length);
        Data.Validate();
    }

    [Fact]
    public void Every_class_has_6000_training_and_1000_held_out_images()
    {
        Assert.All(Enumerable.Range(0, 10), c =>
        {
            Assert.Equal(6000, Data.TrainLabels.Count(l => l == c));
            Assert.Equal(1000, Data.TestLabels.Count(l => l == c));
        });
    }

    [Fact]
    public void Pixel_statistics_look_like_Fashion_MNIST()
    {
        // Fashion-MNIST's mean intensity is about 72.9 of 255; area averaging preserves the mean up to rounding.
        double mean = Data.TrainImages.Average(p => (double)p);
        Assert.InRange(mean, 70, 76);
        Assert.InRange(Data.TestImages.Average(p => (double)p), 68, 78);
        Assert.True(Data.TrainImages.Max() > 200);
    }

    [Fact]
    public void It_is_decoded_once_and_shared()
    {
        Assert.Same(Data, EmbeddedDatasets.FashionMnist8());
    }
}
