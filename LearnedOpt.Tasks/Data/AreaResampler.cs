namespace LearnedOpt.Tasks.Data;

/// <summary>
/// Exact area-averaging resampling of byte images (a box filter with fractional pixel coverage),
/// computed in integers so that results are identical on every machine.
/// </summary>
/// <remarks>
/// Coordinates are scaled so that an input row is <c>outputHeight</c> units tall and an output row is
/// <c>inputHeight</c> units tall (likewise for columns); every overlap is then a whole number and the
/// weights of one output pixel sum to exactly <c>inputHeight·inputWidth</c>.
/// </remarks>
internal sealed class AreaResampler
{
    private readonly int _inputHeight, _inputWidth, _outputHeight, _outputWidth;
    private readonly (int Index, int Weight)[][] _rowWeights, _columnWeights;
    private readonly long _denominator;

    /// <summary>Prepares the weights for one input size and one output size.</summary>
    public AreaResampler(int inputHeight, int inputWidth, int outputHeight, int outputWidth)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputWidth);
        (_inputHeight, _inputWidth, _outputHeight, _outputWidth) = (inputHeight, inputWidth, outputHeight, outputWidth);
        _rowWeights = Weights(inputHeight, outputHeight);
        _columnWeights = Weights(inputWidth, outputWidth);
        _denominator = (long)inputHeight * inputWidth;
    }

    /// <summary>Resamples every image in a row-major batch of <c>inputHeight·inputWidth</c>-byte images.</summary>
    public byte[] ResampleAll(byte[] images)
    {
        int inputPixels = _inputHeight * _inputWidth, outputPixels = _outputHeight * _outputWidth;
        if (images.Length % inputPixels != 0)
            throw new ArgumentException($"{images.Length} bytes is not a whole number of {_inputHeight}×{_inputWidth} images.", nameof(images));
        int count = images.Length / inputPixels;
        var output = new byte[count * outputPixels];
        for (int n = 0; n < count; n++)
            Resample(images.AsSpan(n * inputPixels, inputPixels), output.AsSpan(n * outputPixels, outputPixels));
        return output;
    }

    /// <summary>Resamples one image.</summary>
    public void Resample(ReadOnlySpan<byte> input, Span<byte> output)
    {
        for (int oy = 0; oy < _outputHeight; oy++)
        {
            for (int ox = 0; ox < _outputWidth; ox++)
            {
                long sum = 0;
                foreach (var (y, wy) in _rowWeights[oy])
                {
                    long rowSum = 0;
                    ReadOnlySpan<byte> row = input.Slice(y * _inputWidth, _inputWidth);
                    foreach (var (x, wx) in _columnWeights[ox])
                        rowSum += wx * row[x];
                    sum += wy * rowSum;
                }
                // Round half up in integers: floor((2·sum + d) / (2·d)).
                output[oy * _outputWidth + ox] = (byte)((2 * sum + _denominator) / (2 * _denominator));
            }
        }
    }

    // For each output index, the input indices it overlaps and the overlap lengths in scaled units.
    private static (int Index, int Weight)[][] Weights(int inputSize, int outputSize)
    {
        var weights = new (int, int)[outputSize][];
        for (int o = 0; o < outputSize; o++)
        {
            // Output cell o spans [o·inputSize, (o+1)·inputSize); input cell i spans [i·outputSize, (i+1)·outputSize).
            long start = (long)o * inputSize, end = start + inputSize;
            var cell = new List<(int, int)>();
            for (int i = (int)(start / outputSize); i < inputSize && (long)i * outputSize < end; i++)
            {
                long overlap = Math.Min(end, (long)(i + 1) * outputSize) - Math.Max(start, (long)i * outputSize);
                if (overlap > 0) cell.Add((i, (int)overlap));
            }
            weights[o] = cell.ToArray();
        }
        return weights;
    }
}
