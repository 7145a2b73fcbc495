package org.causalimpact.monitor.io;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.causalimpact.monitor.InputException;

/**
 * The pre- and post-period of a CausalImpact-mode analysis, as 0-based inclusive row indexes.
 *
 * <p>Each bound of {@code --pre START:END} / {@code --post START:END} is a row index, or a row
 * label matched exactly, or a date/time matched to the rows by time: a start to the first row at
 * or after it, an end to the last row at or before it (as R's CausalImpact reads date periods).
 * A date before the first row's or after the last row's is refused, as an out-of-range row index
 * is, rather than moved to the nearest row.
 * Because labels such as {@code 2016-02-20 22:41:20} contain colons, {@code START..END} is also
 * accepted, and a colon-separated pair is split at the one colon where both sides make sense. An
 * integer is a row index unless it is out of range and equals a label (a year, say).
 *
 * <p>The post-period must follow the pre-period directly: the engine's pre-period ends where the
 * intervention starts, so rows between them would silently become pre-period rows.
 *
 * @param preStart first pre-period row
 * @param preEnd last pre-period row (inclusive)
 * @param postStart first post-period row, {@code preEnd + 1}
 * @param postEnd last post-period row (inclusive)
 */
public record Periods(int preStart, int preEnd, int postStart, int postEnd) {
  /** The fewest pre-period rows a model can be fitted on at all. */
  public static final int MIN_PRE_ROWS = 3;

  private static final Pattern INDEX = Pattern.compile("\\d+");

  public Periods {
    if (preStart < 0 || preEnd < preStart || postStart != preEnd + 1 || postEnd < postStart) {
      throw new IllegalArgumentException(
          "invalid periods pre " + preStart + ":" + preEnd + ", post " + postStart + ":" + postEnd);
    }
  }

  public int preRows() {
    return preEnd - preStart + 1;
  }

  public int postRows() {
    return postEnd - postStart + 1;
  }

  /**
   * Parses and checks both periods against a table's labels.
   *
   * @param pre the {@code --pre} text
   * @param post the {@code --post} text
   * @param labels the row labels, or {@code null} when the table has none
   * @param rows the number of rows
   * @throws InputException when a period is malformed, out of range (an index or a date outside
   *     the data), reversed, overlapping, not contiguous, or when the pre-period has fewer than
   *     {@value #MIN_PRE_ROWS} rows
   */
  public static Periods parse(String pre, String post, List<String> labels, int rows) {
    Resolver resolver = new Resolver(labels, rows);
    int[] a = resolver.period("--pre", pre);
    int[] b = resolver.period("--post", post);
    if (b[0] <= a[1]) {
      throw new InputException(
          "the post-period (rows "
              + b[0]
              + "–"
              + b[1]
              + ") must come after the pre-period (rows "
              + a[0]
              + "–"
              + a[1]
              + "): "
              + (b[1] < a[0] ? "--post is before --pre; swap them" : "the periods overlap")
              + (a[1] + 1 < rows
                  ? "; the post-period should start at row " + (a[1] + 1)
                      + resolver.labelNote(a[1] + 1)
                  : ""));
    }
    if (b[0] != a[1] + 1) {
      throw new InputException(
          (b[0] - 1 == a[1] + 1 ? "row " + (a[1] + 1) + " lies" : "rows " + (a[1] + 1) + "–"
              + (b[0] - 1) + " lie")
              + " between the pre-period (ends at row "
              + a[1]
              + ") and the post-period (starts at row "
              + b[0]
              + "): the periods must be contiguous; end --pre at row "
              + (b[0] - 1)
              + resolver.labelNote(b[0] - 1)
              + " or start --post at row "
              + (a[1] + 1)
              + resolver.labelNote(a[1] + 1));
    }
    int preRows = a[1] - a[0] + 1;
    if (preRows < MIN_PRE_ROWS) {
      throw new InputException(
          "the pre-period has "
              + preRows
              + (preRows == 1 ? " row" : " rows")
              + " (rows "
              + a[0]
              + "–"
              + a[1]
              + "): at least "
              + MIN_PRE_ROWS
              + " are needed to fit a model, and many more for useful intervals");
    }
    return new Periods(a[0], a[1], b[0], b[1]);
  }

  /** Turns bound texts into row indexes. */
  private static final class Resolver {
    private final List<String> labels;
    private final int rows;
    private Optional<List<Instant>> times;

    Resolver(List<String> labels, int rows) {
      this.labels = labels;
      this.rows = rows;
    }

    /** The labels as instants, parsed only when a bound is a time that is not a label. */
    private Optional<List<Instant>> times() {
      if (times == null) {
        times = TimeLabels.parseAll(labels);
      }
      return times;
    }

    int[] period(String option, String text) {
      if (text == null || text.isBlank()) {
        throw new InputException(option + " is missing: give START:END, e.g. " + option + " 0:69");
      }
      String s = text.trim();
      List<int[]> candidates = new ArrayList<>();
      List<String> problems = new ArrayList<>();
      int dots = s.indexOf("..");
      if (dots >= 0) {
        if (s.indexOf("..", dots + 2) >= 0) {
          throw malformed(option, s);
        }
        return checked(option, s, bound(option, s.substring(0, dots), true, null),
            bound(option, s.substring(dots + 2), false, null));
      }
      for (int i = s.indexOf(':'); i >= 0; i = s.indexOf(':', i + 1)) {
        Integer from = bound(option, s.substring(0, i), true, problems);
        Integer to = bound(option, s.substring(i + 1), false, problems);
        if (from != null && to != null) {
          candidates.add(new int[] {from, to});
        }
      }
      if (candidates.isEmpty()) {
        if (s.indexOf(':') < 0) {
          throw malformed(option, s);
        }
        throw new InputException(
            option + " '" + s + "': " + (problems.isEmpty() ? "malformed" : problems.get(0)));
      }
      int[] p = candidates.get(0);
      for (int[] q : candidates) {
        if (q[0] != p[0] || q[1] != p[1]) {
          throw new InputException(
              option + " '" + s + "' can be split at more than one colon: write START..END");
        }
      }
      return checked(option, s, p[0], p[1]);
    }

    private int[] checked(String option, String s, Integer from, Integer to) {
      if (from > to) {
        throw new InputException(
            option + " '" + s + "' starts at row " + from + ", after its end row " + to
                + ": give START:END with START <= END");
      }
      return new int[] {from, to};
    }

    private InputException malformed(String option, String s) {
      return new InputException(
          option
              + " '"
              + s
              + "' is not a period: give START:END (or START..END) as 0-based inclusive row"
              + " indexes, row labels or dates, e.g. "
              + option
              + " 0:69 or "
              + option
              + " 2014-01-01:2014-03-11");
    }

    /**
     * One bound as a row index; on failure either throws ({@code problems == null}) or records the
     * reason and returns {@code null}.
     */
    private Integer bound(String option, String text, boolean start, List<String> problems) {
      String t = text.trim();
      String problem;
      boolean telling = false;
      if (t.isEmpty()) {
        problem = "a bound is empty";
      } else if (INDEX.matcher(t).matches()) {
        Integer index = parseIndex(t);
        if (index != null && index < rows) {
          return index;
        }
        int exact = labels == null ? -1 : labels.indexOf(t);
        if (exact >= 0) {
          return exact;
        }
        problem =
            "row "
                + t
                + " is out of range: the table has "
                + rows
                + " rows (0–"
                + (rows - 1)
                + ")";
      } else {
        int exact = labels == null ? -1 : labels.indexOf(t);
        if (exact >= 0) {
          return exact;
        }
        Optional<Instant> when = TimeLabels.parse(t);
        if (when.isEmpty()) {
          problem = "'" + t + "' is neither a row index, a row label nor a date/time";
        } else if (times().isEmpty()) {
          problem =
              "'"
                  + t
                  + "' is a date, but the rows have no time labels to match it"
                  + (labels == null
                      ? " (name the time column with --time-column, or use row indexes)"
                      : " (their labels are not all dates; use row indexes)");
        } else {
          List<Instant> ts = times().get();
          boolean before = when.get().isBefore(ts.get(0));
          if (!before && !when.get().isAfter(ts.get(rows - 1))) {
            return start
                ? TimeLabels.firstAtOrAfter(ts, when.get())
                : TimeLabels.lastAtOrBefore(ts, when.get());
          }
          problem = outsideTheData(t, before);
          // of the ways to split at a colon, the one that read a whole date says most
          telling = true;
        }
      }
      if (problems == null) {
        throw new InputException(option + ": " + problem);
      }
      problems.add(telling ? 0 : problems.size(), problem);
      return null;
    }

    /** Why a date before the first row or after the last is refused, as a row index would be. */
    private String outsideTheData(String date, boolean before) {
      return "'"
          + date
          + "' is "
          + (before ? "before the data's first date, " + labels.get(0)
              : "after the data's last date, " + labels.get(rows - 1))
          + ": the data runs from "
          + labels.get(0)
          + " to "
          + labels.get(rows - 1)
          + " (rows 0–"
          + (rows - 1)
          + "); give a date within it";
    }

    private static Integer parseIndex(String t) {
      try {
        return Integer.valueOf(t);
      } catch (NumberFormatException e) {
        return null;
      }
    }

    String labelNote(int row) {
      return labels == null || row < 0 || row >= rows ? "" : " (" + labels.get(row) + ")";
    }
  }
}
