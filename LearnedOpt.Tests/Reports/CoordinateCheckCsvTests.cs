using System.Globalization;
using LearnedOpt.MetaTrain.Reports;

namespace LearnedOpt.Tests.Reports;

/// <summary><c>coordcheck.csv</c>: the same bytes as the hand-written format it replaced, and an exact round trip.</summary>
public class CoordinateCheckCsvTests
{
    private static readonly CoordinateCheckRow[] Rows =
    [
        new("mup", 64, 0, 0, 0.7978845608028654),
        new("mup", 64, 3, 2, 0.1 + 0.2),
        new("sp", 256, 3, 2, 1.5e-7),
    ];

    [Fact]
    public void Rows_round_trip_exactly()
    {
        using var temp = new TempFolder();
        CoordinateCheckCsv.Write(temp["coordcheck.csv"], Rows);
        Assert.Equal(Rows, CoordinateCheckCsv.Read(temp["coordcheck.csv"]));
    }

    [Fact]
    public void The_file_keeps_the_header_round_trip_numbers_and_newline_line_ends()
    {
        using var temp = new TempFolder();
        CoordinateCheckCsv.Write(temp["coordcheck.csv"], Rows);
        // What CoordCheckCommand wrote by hand before it used CoordinateCheckCsv.
        string expected = "param,width,step,layer,mean_abs_activation\n" + string.Concat(Rows.Select(r =>
            string.Create(CultureInfo.InvariantCulture, $"{r.Param},{r.Width},{r.Step},{r.Layer},{r.MeanAbsActivation:R}\n")));
        Assert.Equal(expected, File.ReadAllText(temp["coordcheck.csv"]));
    }

    [Fact]
    public void A_missing_column_or_a_bad_number_is_named_in_the_error()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["old.csv"], "param,width,step,mean_abs_activation\nmup,64,0,0.5\n");
        Assert.Contains("column layer is missing", Assert.Throws<InvalidDataException>(() => CoordinateCheckCsv.Read(temp["old.csv"])).Message);
        File.WriteAllText(temp["bad.csv"], "param,width,step,layer,mean_abs_activation\nmup,64,0,0,0.5\nmup,wide,0,0,0.5\n");
        Assert.Contains("line 3", Assert.Throws<InvalidDataException>(() => CoordinateCheckCsv.Read(temp["bad.csv"])).Message);
    }
}
