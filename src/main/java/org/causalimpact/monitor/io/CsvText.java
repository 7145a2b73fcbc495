package org.causalimpact.monitor.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.causalimpact.monitor.InputException;

/**
 * CSV text into its cells ({@link CsvTables.RawCsv}): the separator detected, the header named,
 * every row as long as the header. Stateless.
 */
final class CsvText {
  private CsvText() {}

  /** Parses CSV text; {@code name} is used in messages. */
  static CsvTables.RawCsv parse(String name, String text) {
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    if (text.isBlank()) {
      throw new InputException(
          name + " is empty: expected a header line naming the columns, then one line per row");
    }
    char separator = detectSeparator(text);
    // The streaming factory alone: a CsvMapper would cost ~100 ms of start-up for nothing.
    CsvFactory factory = CsvFactory.builder().enable(CsvParser.Feature.SKIP_EMPTY_LINES).build();
    CsvSchema schema = CsvSchema.emptySchema().withColumnSeparator(separator).withoutHeader();
    List<List<String>> records = new ArrayList<>();
    List<Integer> lines = new ArrayList<>();
    int line = 1;
    try (JsonParser p = factory.createParser(text)) {
      ((CsvParser) p).setSchema(schema);
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t != JsonToken.START_ARRAY) {
          continue;
        }
        // The CSV parser's token location of START_ARRAY is stale; its reading position is
        // at the start of the new row.
        line = p.currentLocation().getLineNr();
        List<String> cells = new ArrayList<>();
        while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
          cells.add(p.getText());
        }
        if (cells.stream().allMatch(String::isBlank)) {
          continue;
        }
        records.add(cells);
        lines.add(line);
      }
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      String at =
          loc == null || loc.getLineNr() == line
              ? " at line " + line
              : " in the row starting at line " + line + " (the parser stopped at line "
                  + loc.getLineNr() + ")";
      throw new InputException(
          name
              + " is not valid CSV"
              + at
              + ": "
              + e.getOriginalMessage()
              + "; check the quotes there: a quoted field must end with a closing quote, and a"
              + " quote inside a quoted field is written twice (\"\")",
          e);
    } catch (IOException e) {
      throw new InputException("cannot read " + name + ": " + e.getMessage(), e);
    }
    if (records.isEmpty()) {
      throw new InputException(name + " is empty: expected a header line naming the columns");
    }
    List<String> rawHeader = records.get(0);
    if (rawHeader.stream().allMatch(c -> CsvTables.isNumber(c.trim()))) {
      throw new InputException(
          "the first line of "
              + name
              + " holds only numbers ("
              + CsvTables.abbreviate(String.join(String.valueOf(separator), rawHeader))
              + "): it needs a header line naming the columns, e.g. 'date,y,x1'");
    }
    List<String> header = new ArrayList<>();
    Set<Integer> unnamed = new HashSet<>();
    Set<String> seen = new HashSet<>();
    for (int c = 0; c < rawHeader.size(); c++) {
      String h = rawHeader.get(c).trim();
      if (h.isEmpty()) {
        h = "column" + (c + 1);
        unnamed.add(c);
      }
      if (!seen.add(h)) {
        throw new InputException(
            "column name '" + h + "' appears twice in the header of " + name + ": rename one");
      }
      header.add(h);
    }
    List<List<String>> rows = records.subList(1, records.size());
    List<Integer> rowLines = lines.subList(1, lines.size());
    for (int r = 0; r < rows.size(); r++) {
      int n = rows.get(r).size();
      if (n != header.size()) {
        throw new InputException(
            name
                + " line "
                + rowLines.get(r)
                + " has "
                + n
                + (n == 1 ? " field" : " fields")
                + " but the header has "
                + header.size()
                + " ("
                + String.join(", ", header)
                + "): every row needs one value per column"
                + (separator == ' ' ? " (fields are separated by single spaces here)" : ""));
      }
    }
    if (rows.size() < CsvTables.MIN_ROWS) {
      throw new InputException(
          name
              + " has "
              + rows.size()
              + (rows.size() == 1 ? " data row" : " data rows")
              + ": at least "
              + CsvTables.MIN_ROWS
              + " are needed (a pre-period and a post-period)");
    }
    return new CsvTables.RawCsv(name, header, rows, rowLines, unnamed);
  }

  /** The separator used in the header line, outside quotes. */
  private static char detectSeparator(String text) {
    int end = text.indexOf('\n');
    String first = end < 0 ? text : text.substring(0, end);
    boolean quoted = false;
    int commas = 0;
    int semicolons = 0;
    int tabs = 0;
    int spaces = 0;
    for (char ch : first.toCharArray()) {
      if (ch == '"') {
        quoted = !quoted;
      } else if (!quoted) {
        switch (ch) {
          case ',' -> commas++;
          case ';' -> semicolons++;
          case '\t' -> tabs++;
          case ' ' -> spaces++;
          default -> {}
        }
      }
    }
    if (commas > 0) {
      return ',';
    }
    if (semicolons > 0) {
      return ';';
    }
    if (tabs > 0) {
      return '\t';
    }
    return spaces > 0 ? ' ' : ',';
  }
}
