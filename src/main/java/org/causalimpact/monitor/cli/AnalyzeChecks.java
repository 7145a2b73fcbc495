package org.causalimpact.monitor.cli;

import java.util.function.Supplier;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.graph.Level;
import org.causalimpact.monitor.graph.Seasonality;
import org.causalimpact.monitor.io.Periods;
import org.causalimpact.monitor.report.Numbers;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.TimeSeriesTable;

/** The checks of {@code analyze}'s options and data that say what the user should change. */
final class AnalyzeChecks {
  private AnalyzeChecks() {}

  static void requireVaryingResponse(TimeSeriesTable table, String y, Periods p) {
    double first = table.value(y, p.preStart());
    for (int t = p.preStart(); t <= p.preEnd(); t++) {
      if (table.value(y, t) != first) {
        return;
      }
    }
    throw new InputException(
        "the response '"
            + y
            + "' is constant ("
            + first
            + ") over the pre-period (rows "
            + p.preStart()
            + "–"
            + p.preEnd()
            + "): there is nothing to learn a counterfactual from; check --response (it is the"
            + " first numeric column unless given) or use a longer pre-period");
  }

  /**
   * Refuses a response taken by default (no {@code --response}) that counts the rows, rising by
   * exactly 1 from one row to the next: a numeric time or row-index column in first place, which
   * would otherwise be analysed as the metric (its "effect" the index's own growth).
   */
  static void requireNotARowIndex(TimeSeriesTable table, String y, boolean responseGiven) {
    if (responseGiven || table.rows() < 3) {
      return;
    }
    for (int t = 1; t < table.rows(); t++) {
      if (table.value(y, t) - table.value(y, t - 1) != 1) {
        return;
      }
    }
    throw new InputException(
        "the first numeric column '"
            + y
            + "', taken as the response, counts the rows ("
            + Numbers.format(table.value(y, 0))
            + ", "
            + Numbers.format(table.value(y, 1))
            + ", ...): it looks like a time or row index, not a metric; name it with --time-column "
            + y
            + " (and the metric with --response if it is not the next column), or give"
            + " --response "
            + y
            + " to analyse it anyway");
  }

  static Seasonality parseSeasonality(String text) {
    String[] parts = text.trim().split(":", -1);
    try {
      if (parts.length > 2) {
        throw new NumberFormatException();
      }
      double period = Double.parseDouble(parts[0]);
      int harmonics =
          parts.length == 2 ? Integer.parseInt(parts[1].trim()) : (int) Math.floor(period / 2);
      return invalidAsInput(() -> new Seasonality(period, harmonics));
    } catch (NumberFormatException e) {
      throw new InputException(
          "--seasonality '" + text + "' is not PERIOD[:HARMONICS], e.g. 7 or 7:2 or 365.25:3");
    }
  }
  static void requireRange(String option, int value, int min, int max) {
    if (value < min || value > max) {
      throw new InputException(option + " must be between " + min + " and " + max + "; got " + value);
    }
  }
  /** {@code --level-model}, default {@code auto}. */
  static Level levelModel(String text) {
    try {
      return Level.parse(text == null ? "auto" : text);
    } catch (IllegalArgumentException e) {
      throw new InputException("--level-model: " + e.getMessage(), e);
    }
  }

  /** {@code base} with {@code --ridge} and {@code --outliers} applied where given. */
  static FitOptions fit(FitOptions base, Double ridge, String outliers) {
    FitOptions f = base;
    if (ridge != null) {
      if (!(ridge >= 0) || ridge.isInfinite()) {
        throw new InputException("--ridge must be a finite number >= 0; got " + ridge);
      }
      f = new FitOptions(ridge, f.replaceOutliers());
    }
    if (outliers != null) {
      f = f.withReplaceOutliers(replaceOutliers(outliers));
    }
    return f;
  }

  /** {@code --outliers keep|replace}. */
  static boolean replaceOutliers(String text) {
    return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "keep" -> false;
      case "replace" -> true;
      default ->
          throw new InputException(
              "--outliers must be keep (the default: name them in a note) or replace (by the"
                  + " fit's one-step prediction); got '"
                  + text
                  + "'");
    };
  }

  /** {@code --plot-size WIDTHxHEIGHT}. */
  static int[] plotSize(String plotSize) {
    String[] wh = plotSize.toLowerCase(java.util.Locale.ROOT).split("x", -1);
    try {
      if (wh.length == 2) {
        return new int[] {Integer.parseInt(wh[0].trim()), Integer.parseInt(wh[1].trim())};
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InputException("--plot-size '" + plotSize + "' is not WIDTHxHEIGHT, e.g. 1000x900");
  }

  /** Runs a value constructor whose argument checks are about user input. */
  static <T> T invalidAsInput(Supplier<T> s) {
    try {
      return s.get();
    } catch (IllegalArgumentException e) {
      throw new InputException(e.getMessage(), e);
    }
  }
}
