using LearnedOpt.IO;
using ScottPlot;

namespace LearnedOpt.MetaTrain.Reports;

/// <summary>Saves ScottPlot figures atomically (ScottPlot writes by file name, so through a temporary file).</summary>
internal static class PlotFile
{
    public static void SavePng(Plot plot, string path, int width, int height)
    {
        string temp = AtomicFile.TemporaryPathFor(path, ".png");
        try
        {
            plot.SavePng(temp, width, height);
            AtomicFile.Commit(temp, path);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
