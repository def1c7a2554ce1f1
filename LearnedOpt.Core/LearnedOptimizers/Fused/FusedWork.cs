using static TorchSharp.torch;

namespace LearnedOpt.LearnedOptimizers.Fused;

/// <summary>
/// The fixed partition of one tensor's elements into work items for the fused CPU step, and the loop that runs
/// them. A tensor is seen as lines of <c>lineLength</c> consecutive elements (its last dimension when factored,
/// the whole tensor otherwise); an item is a run of whole lines of about <see cref="ItemElements"/> elements, or a
/// segment of one long line. Items, and groups of 8 elements from each line's start, depend only on the shape, so
/// every element's arithmetic and every partial sum are the same whatever the thread count.
/// </summary>
internal readonly struct FusedWork
{
    /// <summary>Elements per work item (a multiple of the 8 lanes).</summary>
    public const long ItemElements = 4096;

    private readonly long _lines, _lineLength, _segmentsPerLine, _linesPerItem;

    public FusedWork(long elements, long lineLength)
    {
        _lineLength = Math.Max(1, lineLength);
        _lines = elements / _lineLength;
        if (_lineLength >= ItemElements)
        {
            _segmentsPerLine = (_lineLength + ItemElements - 1) / ItemElements;
            Items = checked((int)(_lines * _segmentsPerLine));
        }
        else
        {
            _linesPerItem = ItemElements / _lineLength;
            Items = checked((int)((_lines + _linesPerItem - 1) / _linesPerItem));
        }
    }

    /// <summary>Number of work items.</summary>
    public int Items { get; }

    /// <summary>Lines [FirstLine, FirstLine + LineCount) of item <paramref name="item"/>, each from Start for Length elements.</summary>
    public (long FirstLine, long LineCount, long Start, long Length) Range(int item)
    {
        if (_linesPerItem == 0)
        {
            long start = item % _segmentsPerLine * ItemElements;
            return (item / _segmentsPerLine, 1, start, Math.Min(ItemElements, _lineLength - start));
        }
        long first = item * _linesPerItem;
        return (first, Math.Min(_linesPerItem, _lines - first), 0, _lineLength);
    }

    /// <summary>
    /// Runs <paramref name="body"/> for every item on at most torch's intra-op thread count (one thread under
    /// <c>learnedopt eval</c>'s jobs, which set it to 1).
    /// </summary>
    public static void Run(int items, Action<int> body)
    {
        int threads = Math.Min(get_num_threads(), items);
        if (threads <= 1)
        {
            for (int i = 0; i < items; i++) body(i);
            return;
        }
        Parallel.For(0, items, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }
}
