using LearnedOpt.Runtime;
using static TorchSharp.torch;

namespace LearnedOpt.Tasks.Data;

/// <summary>
/// A classification data set held as float tensors, standardised by the training split's pixel mean and
/// standard deviation, shared by every task that samples from it. Kept outside any dispose scope. Built on the CPU;
/// <see cref="On"/> gives one copy per device, made once and shared by every task there.
/// </summary>
public sealed class ClassificationTensors
{
    private readonly Dictionary<DeviceKey, ClassificationTensors> _onDevice = [];

    private ClassificationTensors(string name, Tensor trainInputs, Tensor trainLabels, Tensor testInputs, Tensor testLabels, int classCount)
    {
        Name = name;
        TrainInputs = trainInputs;
        TrainLabels = trainLabels;
        TestInputs = testInputs;
        TestLabels = testLabels;
        ClassCount = classCount;
    }

    /// <summary>The data set's name (e.g. <c>fmnist8</c>).</summary>
    public string Name { get; }
    /// <summary>Training images, [examples, features], standardised.</summary>
    public Tensor TrainInputs { get; }
    /// <summary>Training labels, [examples], int64.</summary>
    public Tensor TrainLabels { get; }
    /// <summary>Test images, [examples, features], standardised with the training split's statistics.</summary>
    public Tensor TestInputs { get; }
    /// <summary>Test labels, [examples], int64.</summary>
    public Tensor TestLabels { get; }
    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }
    /// <summary>Pixels per image.</summary>
    public int FeatureCount => (int)TrainInputs.shape[1];
    /// <summary>Training examples.</summary>
    public long TrainCount => TrainInputs.shape[0];

    /// <summary>The device the tensors are on.</summary>
    public Device Device => TrainInputs.device;

    /// <summary>These tensors on <paramref name="device"/>: this instance when they are there already, else a cached copy.</summary>
    public ClassificationTensors On(Device device)
    {
        if (ComputeDevice.IsOn(TrainInputs, device)) return this;
        var key = DeviceKey.Of(device);
        lock (_onDevice)
        {
            if (!_onDevice.TryGetValue(key, out var copy))
            {
                Tensor Move(Tensor t) => t.to(device, copy: true).DetachFromDisposeScope();
                _onDevice[key] = copy = new ClassificationTensors(Name, Move(TrainInputs), Move(TrainLabels), Move(TestInputs), Move(TestLabels), ClassCount);
            }
            return copy;
        }
    }

    /// <summary>Builds the tensors from byte pixels (0–255) and byte labels.</summary>
    public static ClassificationTensors FromBytes(string name, byte[] trainPixels, byte[] trainLabels, byte[] testPixels, byte[] testLabels, int featureCount, int classCount)
    {
        if (featureCount <= 0 || trainLabels.Length == 0 || trainPixels.Length != (long)trainLabels.Length * featureCount || testPixels.Length != (long)testLabels.Length * featureCount)
            throw new InvalidDataException($"Data set '{name}' is inconsistent: pixel counts do not match label counts × {featureCount} features.");
        if (trainLabels.Concat(testLabels).Any(l => l >= classCount))
            throw new InvalidDataException($"Data set '{name}' has a label outside 0..{classCount - 1}.");

        double sum = 0, sumSq = 0;
        foreach (byte b in trainPixels) { sum += b; sumSq += (double)b * b; }
        double mean = sum / trainPixels.Length;
        double std = Math.Sqrt(Math.Max(sumSq / trainPixels.Length - mean * mean, 1e-12));

        using var scope = NewDisposeScope();
        Tensor Standardise(byte[] pixels, int n) =>
            tensor(pixels, [n, featureCount], device: CPU).to(ScalarType.Float32).MinusInPlace(mean).DividedByInPlace(std);
        var result = new ClassificationTensors(
            name,
            Standardise(trainPixels, trainLabels.Length),
            tensor(trainLabels, device: CPU).to(ScalarType.Int64),
            Standardise(testPixels, testLabels.Length),
            tensor(testLabels, device: CPU).to(ScalarType.Int64),
            classCount);
        foreach (var t in new[] { result.TrainInputs, result.TrainLabels, result.TestInputs, result.TestLabels })
            t.DetachFromDisposeScope();
        return result;
    }
}
