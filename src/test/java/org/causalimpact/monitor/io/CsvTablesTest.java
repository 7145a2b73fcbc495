package org.causalimpact.monitor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.io.CsvTables.RawCsv;
import org.causalimpact.monitor.io.CsvTables.Roles;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTablesTest {
  @TempDir Path dir;

  private static RawCsv parse(String text) {
    return CsvTables.parse("data.csv", text);
  }

  private static String message(Runnable r) {
    return assertThrows(InputException.class, r::run).getMessage();
  }

  @Test
  void quotedHeaderTimeColumnAndDefaultRoles() {
    RawCsv raw =
        parse("\"date\",\"Basque\",\"another\"\n1955-01-01,3.85,3.54\n1956-01-01,3.94,3.69\n"
            + "1957-01-01,4.03,3.82\n");
    Roles roles = CsvTables.roles(raw, null, null, null);
    assertEquals("date", roles.timeColumn());
    assertEquals("Basque", roles.response());
    assertEquals(List.of("another"), roles.covariates());
    TimeSeriesTable t = CsvTables.table(raw, roles);
    assertEquals(List.of("Basque", "another"), t.columns());
    assertArrayEquals(new double[] {3.85, 3.94, 4.03}, t.column("Basque"));
    assertEquals(List.of("1955-01-01", "1956-01-01", "1957-01-01"), t.labels());
  }

  @Test
  void timeColumnMayComeLastAndTablesWithoutTimeHaveNoLabels() {
    RawCsv raw = parse("y,x1,x2,date\n110,134,128,2020-01-01\n125,134,128,2020-01-02\n"
        + "123,134,128,2020-01-03\n");
    Roles roles = CsvTables.roles(raw, null, null, null);
    assertEquals("date", roles.timeColumn());
    assertEquals(List.of("y", "x1", "x2"), roles.columns());

    RawCsv plain = parse("y,X\n1,2\n3,4\n5,6\n");
    Roles r = CsvTables.roles(plain, null, null, null);
    assertNull(r.timeColumn());
    assertNull(CsvTables.table(plain, r).labels());
  }

  @Test
  void responseAndColumnsChooseTheRoles() {
    RawCsv raw = parse("X,y,z\n1,2,3\n4,5,6\n7,8,9\n");
    Roles roles = CsvTables.roles(raw, null, "y", List.of("z"));
    assertEquals("y", roles.response());
    assertEquals(List.of("z"), roles.covariates());
    Roles all = CsvTables.roles(raw, null, "y", null);
    assertEquals(List.of("X", "z"), all.covariates());
  }

  @Test
  void whitespaceSeparatedFileWithQuotedHeader() {
    RawCsv raw = parse("\"Date\" \"VolksWagen\" \"BMW\"\n\"2011-01-02\" 99.14 45.03\n"
        + "\"2011-01-09\" 100.9 44.75\n\"2011-01-16\" 96.08 42.29\n");
    Roles roles = CsvTables.roles(raw, null, null, null);
    assertEquals("Date", roles.timeColumn());
    assertEquals("VolksWagen", roles.response());
    assertEquals(100.9, CsvTables.table(raw, roles).value("VolksWagen", 1));
  }

  @Test
  void byteOrderMarkBlankLinesAndCrLf() {
    RawCsv raw = parse("\uFEFFt,y\r\n2020-01-01,1\r\n\r\n2020-01-02,2\r\n2020-01-03,3\r\n\r\n");
    assertEquals(List.of("t", "y"), raw.header());
    assertEquals(3, raw.rowCount());
    assertEquals(List.of(2, 4, 5), raw.lines());
  }

  @Test
  void readsFilesAndStandardInput() throws Exception {
    Path f = Files.writeString(dir.resolve("d.csv"), "y,x\n1,2\n3,4\n5,6\n");
    assertEquals(3, CsvTables.read(f.toString(), null).rowCount());
    var in = new ByteArrayInputStream("y,x\n1,2\n3,4\n5,6\n".getBytes(StandardCharsets.UTF_8));
    RawCsv raw = CsvTables.read("-", in);
    assertEquals("<stdin>", raw.source());
    assertEquals(3, raw.rowCount());
  }

  @Test
  void missingFile() {
    String m = message(() -> CsvTables.read(dir.resolve("nope.csv").toString(), null));
    assertTrue(m.startsWith("file not found: "), m);
    assertTrue(m.contains("nope.csv"), m);
  }

  @Test
  void emptyFileAndHeaderOnly() {
    assertTrue(message(() -> parse("")).contains("data.csv is empty"));
    assertTrue(message(() -> parse("\n\n")).contains("data.csv is empty"));
    String m = message(() -> parse("y,x\n"));
    assertTrue(m.contains("has 0 data rows: at least 3 are needed"), m);
  }

  @Test
  void noHeader() {
    String m = message(() -> parse("1,2\n3,4\n5,6\n7,8\n"));
    assertTrue(m.contains("needs a header line naming the columns"), m);
  }

  @Test
  void raggedRowNamesItsLine() {
    String m = message(() -> parse("t,y,x\n1,2,3\n4,5\n6,7,8\n"));
    assertTrue(m.contains("line 3 has 2 fields but the header has 3 (t, y, x)"), m);
  }

  @Test
  void unclosedQuoteIsMalformed() {
    String m = message(() -> parse("t,y,x\n1,2,3\n\"4,5,6\n7,8,9\n"));
    assertTrue(m.startsWith("data.csv is not valid CSV in the row starting at line 3"), m);
    assertTrue(m.contains("closing quote"), m);
  }

  @Test
  void duplicateHeader() {
    assertTrue(message(() -> parse("y,y\n1,2\n3,4\n5,6\n")).contains("'y' appears twice"));
  }

  @Test
  void nonNumericCellNamesLineRowColumnAndText() {
    RawCsv raw = parse("date,y,x\n2020-01-01,1,2\n2020-01-02,2,abc\n2020-01-03,3,4\n");
    String m = message(() -> CsvTables.table(raw, CsvTables.roles(raw, null, null, null)));
    assertTrue(m.contains("data.csv line 3 (row 1), column 'x' holds 'abc', which is not a number"),
        m);
  }

  @Test
  void parseDoubleLeniencyIsRejected() {
    RawCsv raw = parse("y,x\n1,2\n2,0x1p3\n3,4\n4,5d\n5,6\n");
    String m = message(() -> CsvTables.table(raw, CsvTables.roles(raw, null, null, null)));
    assertTrue(m.contains("'0x1p3'"), m);
  }

  @Test
  void numbersArePlainDecimalsOnly() {
    for (String yes :
        List.of("0", "12", "+3", "-4", "1.", "-1.", ".5", "-.5", "12.50", "1e3", "1E3", "1e+3",
            "-2.5e-07", ".5E10", "007", "1.e2")) {
      assertTrue(CsvTables.isNumber(yes), yes);
    }
    for (String no :
        List.of("", "+", "-", ".", "+.", "e3", ".e3", "1e", "1e+", "1e3.5", "1..2", "1.2.3", "--1",
            "+-1", " 1", "1 ", "1,5", "0x1p3", "5d", "1f", "NaN", "Infinity", "1_000", "\u0661",
            "1e3e4")) {
      assertFalse(CsvTables.isNumber(no), no);
    }
  }

  @Test
  void missingAndNonFiniteCellsInUsedColumns() {
    for (String bad : List.of("NaN", "NA", "Infinity", "-inf", "")) {
      RawCsv raw = parse("date,y,x\n2020-01-01,1,2\n2020-01-02,2," + bad + "\n2020-01-03,3,4\n");
      String m = message(() -> CsvTables.table(raw, CsvTables.roles(raw, null, null, null)));
      assertTrue(m.contains("line 3 (row 1), column 'x'"), m);
      assertTrue(bad.isEmpty() ? m.contains("is empty") : m.contains("'" + bad + "'"), m);
    }
  }

  @Test
  void nonNumericColumnsBesidesTheTimeAreIgnoredAndReported() {
    RawCsv raw = parse("date,y,pre,x\n2006-01-01,1,True,2\n2006-02-01,2,True,3\n"
        + "2006-03-01,3,False,4\n");
    Roles roles = CsvTables.roles(raw, null, null, null);
    assertEquals(List.of("y", "x"), roles.columns());
    assertEquals(List.of("pre"), roles.ignored());
  }

  @Test
  void unusedColumnsMayHoldAnything() {
    RawCsv raw = parse("date,y,x,z\n2020-01-01,1,2,NA\n2020-01-02,2,3,\n2020-01-03,3,4,NaN\n");
    TimeSeriesTable t = CsvTables.table(raw, CsvTables.roles(raw, null, "y", List.of("x")));
    assertEquals(List.of("y", "x"), t.columns());
  }

  @Test
  void unknownColumnsListTheAvailableOnes() {
    RawCsv raw = parse("date,y,x\n2020-01-01,1,2\n2020-01-02,2,3\n2020-01-03,3,4\n");
    String m = message(() -> CsvTables.roles(raw, null, "revenue", null));
    assertTrue(m.contains("--response names column 'revenue'"), m);
    assertTrue(m.contains("its columns are: date, y, x"), m);
    m = message(() -> CsvTables.roles(raw, null, null, List.of("x", "x9")));
    assertTrue(m.contains("--columns names column 'x9'"), m);
    m = message(() -> CsvTables.roles(raw, "time", null, null));
    assertTrue(m.contains("--time-column names column 'time'"), m);
  }

  @Test
  void fewerThanThreeRows() {
    String m = message(() -> parse("y,x\n1,2\n3,4\n"));
    assertTrue(m.contains("has 2 data rows: at least 3 are needed"), m);
  }

  /** Every published dataset reads with the default roles of SOURCES.md. */
  @Test
  void publishedDatasetsRead() throws Exception {
    String d = System.getProperty("datasets.dir");
    Assumptions.assumeTrue(
        d != null && Files.isDirectory(Path.of(d)),
        "datasets.dir (../shared/datasets) is absent: skipping the published-data check");
    record Expect(String file, String response, List<String> covariates, int rows) {}
    for (Expect e :
        List.of(
            new Expect("causalimpact_vignette.csv", "y", List.of("x1"), 100),
            new Expect("google_data.csv", "y", List.of("x1", "x2"), 91),
            new Expect("volks_data.txt", "VolksWagen", List.of("BMW", "Allianz"), 325),
            new Expect("volks_data.csv", "VolksWagen", List.of("BMW", "Allianz"), 325),
            new Expect("basque.csv", "Basque", List.of("another"), 43),
            new Expect(
                "comparison_data.csv", "CHANGED",
                List.of("NOT_CHANGED_1", "NOT_CHANGED_2", "NOT_CHANGED_3"), 108))) {
      RawCsv raw = CsvTables.read(Path.of(d, e.file()).toString(), null);
      Roles roles = CsvTables.roles(raw, null, null, null);
      assertEquals(e.response(), roles.response(), e.file());
      assertEquals(e.covariates(), roles.covariates(), e.file());
      assertEquals(e.rows(), CsvTables.table(raw, roles).rows(), e.file());
    }
  }
}
