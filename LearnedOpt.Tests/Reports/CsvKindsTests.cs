using LearnedOpt.MetaTrain.Reports;

namespace LearnedOpt.Tests.Reports;

/// <summary>A CSV header is read as CsvHelper reads the rows: quoted or padded cells are column names like any other.</summary>
public class CsvKindsTests
{
    [Fact]
    public void A_header_is_read_with_quotes_and_padding_removed()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["a.csv"], "\"cell, quoted\", width ,depth\n1,2,3\n");
        Assert.Equal(["cell, quoted", "width", "depth"], CsvKinds.ReadHeader(temp["a.csv"]));
    }

    [Fact]
    public void An_empty_file_has_no_header()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["a.csv"], "");
        Assert.Contains("is empty; expected a CSV file with a header line", Assert.Throws<InvalidDataException>(() => CsvKinds.ReadHeader(temp["a.csv"])).Message);
    }
}
