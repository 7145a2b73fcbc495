package org.causalimpact.monitor.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.scm.TimeSeriesTable;

/**
 * Reads a CSV file (or standard input) into a {@link TimeSeriesTable}.
 *
 * <p>The file needs a header line. Fields may be quoted as RFC 4180 describes ({@code
 * "date","Basque","another"}); the separator is the first of comma, semicolon or tab found in the
 * header line, else a single space (R's {@code write.table} layout). One column may hold time
 * labels: the one named by the caller, else the first column whose cells are mostly not numbers.
 * Its cells become the row labels. Every used numeric cell must hold a finite number; anything
 * else is an {@link InputException} that names the line, the column and the text.
 *
 * <p>Thread-safe; no state.
 */
public final class CsvTables {
  /** Tokens people and tools write for a missing or non-finite value. */
  private static final Set<String> MISSING =
      Set.of(
          "na", "nan", "n/a", "#n/a", "null", "none", "nil", "-", "?", "inf", "+inf", "-inf",
          "infinity", "+infinity", "-infinity");

  /** A plain decimal: what {@link Double#parseDouble} reads, without its hex, suffixes and words. */
  private static final Pattern PLAIN_DECIMAL =
      Pattern.compile("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?");

  /** The fewest rows a table may have: one pre-period row cannot be split, nor two. */
  public static final int MIN_ROWS = 3;

  private CsvTables() {}

  /**
   * The cells of a CSV file as read, before any column is interpreted.
   *
   * @param source the file name as given, or {@code <stdin>}
   * @param header column names; an empty name becomes {@code column<N>} (1-based)
   * @param rows data rows, each with as many cells as the header
   * @param lines the file line on which each data row starts (1-based)
   * @param unnamed header positions that had no name
   */
  public record RawCsv(
      String source,
      List<String> header,
      List<List<String>> rows,
      List<Integer> lines,
      Set<Integer> unnamed) {
    public RawCsv {
      header = List.copyOf(header);
      rows = rows.stream().map(List::copyOf).toList();
      lines = List.copyOf(lines);
      unnamed = Set.copyOf(unnamed);
    }

    public int rowCount() {
      return rows.size();
    }

    int columnIndex(String name, String option) {
      int i = header.indexOf(name);
      if (i < 0) {
        throw new InputException(
            option
                + " names column '"
                + name
                + "', which "
                + source
                + " does not have; its columns are: "
                + String.join(", ", header));
      }
      return i;
    }
  }

  /**
   * Which columns play which role in CausalImpact mode.
   *
   * @param timeColumn the column holding the row labels, or {@code null}
   * @param response the response column
   * @param covariates the covariate columns, in file order or in the order requested
   * @param ignored columns left out because their cells are not numbers (besides the time column)
   */
  public record Roles(
      String timeColumn, String response, List<String> covariates, List<String> ignored) {
    public Roles {
      covariates = List.copyOf(covariates);
      ignored = List.copyOf(ignored);
    }

    /** Response first, then covariates: the column order of the table. */
    public List<String> columns() {
      List<String> all = new ArrayList<>();
      all.add(response);
      all.addAll(covariates);
      return all;
    }
  }

  /**
   * Reads {@code source}: a file path, or {@code -} for {@code stdin}.
   *
   * @throws InputException when the file is missing, unreadable, empty, not CSV, has no header,
   *     has rows of the wrong length, or has fewer than {@value #MIN_ROWS} data rows
   */
  public static RawCsv read(String source, InputStream stdin) {
    if (source == null || source.isBlank()) {
      throw new InputException("--csv needs a file name, or - for standard input");
    }
    String text;
    String name;
    if ("-".equals(source)) {
      name = "<stdin>";
      try {
        text = decode(stdin.readAllBytes(), name);
      } catch (IOException e) {
        throw new InputException("cannot read standard input: " + e.getMessage(), e);
      }
    } else {
      Path path = Path.of(source);
      name = source;
      if (Files.isDirectory(path)) {
        throw new InputException(source + " is a directory: give the path of a CSV file");
      }
      try {
        text = decode(Files.readAllBytes(path), name);
      } catch (NoSuchFileException e) {
        throw new InputException(
            "file not found: "
                + source
                + " (looked in "
                + path.toAbsolutePath().normalize()
                + "); check the path given to --csv");
      } catch (AccessDeniedException e) {
        throw new InputException("cannot read " + source + ": permission denied");
      } catch (IOException e) {
        throw new InputException("cannot read " + source + ": " + e.getMessage(), e);
      }
    }
    return parse(name, text);
  }

  private static String decode(byte[] bytes, String name) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new InputException(
          name + " is not UTF-8 text (is it a spreadsheet or a compressed file?); save it as CSV");
    }
  }

  /** Parses CSV text; {@code name} is used in messages. */
  public static RawCsv parse(String name, String text) {
    return CsvText.parse(name, text);
  }

  /**
   * The roles of the columns in CausalImpact mode.
   *
   * @param timeColumn the time column, or {@code null} to detect it
   * @param response the response column, or {@code null} for the first numeric column
   * @param columns the covariates, or {@code null}/empty for every other numeric column
   * @throws InputException when a named column does not exist, or no numeric column is left
   */
  public static Roles roles(RawCsv raw, String timeColumn, String response, List<String> columns) {
    String time = timeColumn(raw, timeColumn);
    if (response != null) {
      raw.columnIndex(response, "--response");
      if (response.equals(time)) {
        throw new InputException(
            "--response '" + response + "' is also the time column: choose a numeric column");
      }
    }
    if (columns != null) {
      for (String c : columns) {
        raw.columnIndex(c, "--columns");
        if (c.equals(time)) {
          throw new InputException(
              "--columns lists '" + c + "', which is the time column: list numeric columns only");
        }
      }
    }
    List<String> numeric = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    for (int c = 0; c < raw.header().size(); c++) {
      String h = raw.header().get(c);
      if (h.equals(time) || raw.unnamed().contains(c)) {
        continue;
      }
      if (mostlyNumeric(raw, c)) {
        numeric.add(h);
      } else if (!h.equals(response) && (columns == null || !columns.contains(h))) {
        ignored.add(h);
      }
    }
    String y = response;
    if (y == null) {
      if (numeric.isEmpty()) {
        throw new InputException(
            raw.source()
                + " has no numeric column besides the time column"
                + (time == null ? "" : " '" + time + "'")
                + " (columns: "
                + String.join(", ", raw.header())
                + "): it needs a response column of numbers");
      }
      y = numeric.get(0);
    }
    List<String> covariates = new ArrayList<>();
    if (columns != null && !columns.isEmpty()) {
      for (String c : new LinkedHashSet<>(columns)) {
        if (!c.equals(y)) {
          covariates.add(c);
        }
      }
    } else {
      for (String c : numeric) {
        if (!c.equals(y)) {
          covariates.add(c);
        }
      }
    }
    return new Roles(time, y, covariates, ignored);
  }

  /**
   * The time column: the one named, else the first named column whose non-missing cells are
   * mostly not numbers, else {@code null}.
   */
  public static String timeColumn(RawCsv raw, String named) {
    if (named != null) {
      raw.columnIndex(named, "--time-column");
      return named;
    }
    for (int c = 0; c < raw.header().size(); c++) {
      int[] counts = counts(raw, c);
      if (counts[1] > counts[0]) {
        return raw.header().get(c);
      }
    }
    return null;
  }

  /**
   * Builds a table of the named numeric columns, in the order given, labelled by the time column.
   *
   * @param timeColumn the label column, or {@code null} for none
   * @param columns the numeric columns
   * @throws InputException when a column is missing or a cell is empty, missing, non-finite or not
   *     a number
   */
  public static TimeSeriesTable table(RawCsv raw, String timeColumn, List<String> columns) {
    double[][] values = new double[columns.size()][raw.rowCount()];
    for (int j = 0; j < columns.size(); j++) {
      String name = columns.get(j);
      int c = raw.columnIndex(name, "column");
      for (int r = 0; r < raw.rowCount(); r++) {
        values[j][r] = cell(raw, r, c);
      }
    }
    List<String> labels = null;
    if (timeColumn != null) {
      int tc = raw.columnIndex(timeColumn, "--time-column");
      labels = new ArrayList<>(raw.rowCount());
      for (int r = 0; r < raw.rowCount(); r++) {
        labels.add(raw.rows().get(r).get(tc).trim());
      }
    }
    return new TimeSeriesTable(columns, values, labels);
  }

  /** The CausalImpact-mode table: response first, then covariates. */
  public static TimeSeriesTable table(RawCsv raw, Roles roles) {
    return table(raw, roles.timeColumn(), roles.columns());
  }

  private static double cell(RawCsv raw, int r, int c) {
    String text = raw.rows().get(r).get(c).trim();
    String where =
        raw.source()
            + " line "
            + raw.lines().get(r)
            + " (row "
            + r
            + "), column '"
            + raw.header().get(c)
            + "'";
    if (text.isEmpty()) {
      throw new InputException(
          where + " is empty: every used cell needs a number; fill it in or remove the row");
    }
    if (MISSING.contains(text.toLowerCase(Locale.ROOT))) {
      throw new InputException(
          where
              + " holds '"
              + text
              + "', a missing or non-finite value: every used cell needs a finite number; fill it"
              + " in, remove the row, or leave the column out (--columns)");
    }
    if (!isNumber(text)) {
      throw new InputException(
          where
              + " holds '"
              + abbreviate(text)
              + "', which is not a number (use a plain decimal such as 12.5 or 1.2e3; if this"
              + " column is not data, name it with --time-column or leave it out with --columns)");
    }
    double v = Double.parseDouble(text);
    if (!Double.isFinite(v)) {
      throw new InputException(where + " holds '" + text + "', which is too large for a double");
    }
    return v;
  }

  /** Whether {@code text} is a plain decimal {@code [+-]?(d+(.d*)?|.d+)([eE][+-]?d+)?}. */
  static boolean isNumber(String text) {
    return PLAIN_DECIMAL.matcher(text).matches();
  }

  private static boolean mostlyNumeric(RawCsv raw, int c) {
    int[] counts = counts(raw, c);
    return counts[0] > counts[1];
  }

  /** Numbers and other non-missing texts in column {@code c}. */
  private static int[] counts(RawCsv raw, int c) {
    int numbers = 0;
    int others = 0;
    for (List<String> row : raw.rows()) {
      String t = row.get(c).trim();
      if (t.isEmpty() || MISSING.contains(t.toLowerCase(Locale.ROOT))) {
        continue;
      }
      if (isNumber(t)) {
        numbers++;
      } else {
        others++;
      }
    }
    return new int[] {numbers, others};
  }

  static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
