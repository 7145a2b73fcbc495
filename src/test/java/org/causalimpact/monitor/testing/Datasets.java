package org.causalimpact.monitor.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.causalimpact.monitor.scm.TimeSeriesTable;

/**
 * Reads the published third-party datasets from {@code ../shared/datasets} (system property {@code
 * datasets.dir}); tests that need them skip with a message where the folder is absent. The files
 * are simple comma-separated tables with a header; quotes around names are stripped.
 */
public final class Datasets {
  private Datasets() {}

  public static Path dir() {
    String configured = System.getProperty("datasets.dir", "../shared/datasets");
    return Path.of(configured);
  }

  /** The file, or a skipped test if the shared datasets are not beside the checkout. */
  public static Path require(String name) {
    Path p = dir().resolve(name);
    assumeTrue(
        Files.isReadable(p),
        "published dataset " + p.toAbsolutePath() + " is absent: put ../shared beside the checkout");
    return p;
  }

  /** The column names of a dataset's header, the first (the row labels) included. */
  public static List<String> header(String name) {
    try {
      return List.of(split(Files.readAllLines(require(name)).get(0)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The named numeric columns of a dataset, in the order given, with the first column of the file
   * as row labels.
   */
  public static TimeSeriesTable read(String name, List<String> columns) {
    Path p = require(name);
    try {
      List<String> lines = Files.readAllLines(p);
      String[] header = split(lines.get(0));
      int[] idx = new int[columns.size()];
      for (int c = 0; c < columns.size(); c++) {
        idx[c] = List.of(header).indexOf(columns.get(c));
        if (idx[c] < 0) {
          throw new IllegalArgumentException("no column " + columns.get(c) + " in " + name);
        }
      }
      int rows = lines.size() - 1;
      double[][] v = new double[columns.size()][rows];
      List<String> labels = new ArrayList<>();
      for (int r = 0; r < rows; r++) {
        String[] cells = split(lines.get(r + 1));
        labels.add(cells[0]);
        for (int c = 0; c < idx.length; c++) {
          v[c][r] = Double.parseDouble(cells[idx[c]]);
        }
      }
      return new TimeSeriesTable(columns, v, labels);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String[] split(String line) {
    String[] cells = line.split(",", -1);
    for (int i = 0; i < cells.length; i++) {
      cells[i] = cells[i].trim().replace("\"", "");
    }
    return cells;
  }
}
