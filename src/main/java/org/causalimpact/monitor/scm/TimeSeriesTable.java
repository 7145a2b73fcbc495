package org.causalimpact.monitor.scm;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Equally spaced rows of named numeric columns, the input of fitting and simulation. Row {@code t}
 * is grid step {@code t}; seasonality and trend terms use the row index as time.
 *
 * @param columns column names, unique
 * @param values {@code values[c][t]}, one array per column, all of equal length; copied
 * @param labels optional row labels (dates or times as written in the source), or {@code null}
 */
public record TimeSeriesTable(List<String> columns, double[][] values, List<String> labels) {

  public TimeSeriesTable {
    columns = List.copyOf(columns);
    Objects.requireNonNull(values, "values");
    if (values.length != columns.size()) {
      throw new IllegalArgumentException(
          columns.size() + " column names but " + values.length + " value columns");
    }
    int rows = values.length == 0 ? 0 : values[0].length;
    double[][] copy = new double[values.length][];
    for (int c = 0; c < values.length; c++) {
      if (values[c].length != rows) {
        throw new IllegalArgumentException(
            "column '" + columns.get(c) + "' has " + values[c].length + " rows, expected " + rows);
      }
      copy[c] = values[c].clone();
    }
    values = copy;
    if (labels != null) {
      labels = List.copyOf(labels);
      if (labels.size() != rows) {
        throw new IllegalArgumentException(labels.size() + " row labels for " + rows + " rows");
      }
    }
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (String c : columns) {
      if (seen.put(c, seen.size()) != null) {
        throw new IllegalArgumentException("column '" + c + "' appears twice");
      }
    }
  }

  public int rows() {
    return values.length == 0 ? 0 : values[0].length;
  }

  public boolean hasColumn(String name) {
    return columns.contains(name);
  }

  public int columnIndex(String name) {
    int i = columns.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException(
          "no column '" + name + "' (columns: " + String.join(", ", columns) + ")");
    }
    return i;
  }

  /** A copy of one column. */
  public double[] column(String name) {
    return values[columnIndex(name)].clone();
  }

  /** The value in column {@code name}, row {@code t}. */
  public double value(String name, int t) {
    return values[columnIndex(name)][t];
  }

  /** The label of row {@code t}, or its index as text when there are no labels. */
  public String label(int t) {
    return labels == null ? Integer.toString(t) : labels.get(t);
  }

  /** Internal access without a copy, for the engine's hot loops; callers must not write. */
  double[][] raw() {
    return values;
  }

  /** Rows {@code [from, to)} as a new table. */
  public TimeSeriesTable slice(int from, int to) {
    double[][] v = new double[values.length][];
    for (int c = 0; c < v.length; c++) {
      v[c] = Arrays.copyOfRange(values[c], from, to);
    }
    return new TimeSeriesTable(columns, v, labels == null ? null : labels.subList(from, to));
  }

  /** Only the named columns, in the given order. */
  public TimeSeriesTable select(List<String> names) {
    double[][] v = new double[names.size()][];
    for (int i = 0; i < names.size(); i++) {
      v[i] = values[columnIndex(names.get(i))];
    }
    return new TimeSeriesTable(names, v, labels);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TimeSeriesTable t
        && columns.equals(t.columns)
        && Arrays.deepEquals(values, t.values)
        && Objects.equals(labels, t.labels);
  }

  @Override
  public int hashCode() {
    return Objects.hash(columns, Arrays.deepHashCode(values), labels);
  }

  @Override
  public String toString() {
    return "TimeSeriesTable" + columns + " x " + rows() + " rows";
  }
}
