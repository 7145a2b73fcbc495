package org.causalimpact.monitor.graph;

import java.util.Locale;

/** How the points of one series that fall into one grid step are combined into the step's value. */
public enum Aggregation {
  SUM,
  MEAN,
  LAST;

  /** Parses {@code sum}, {@code mean} or {@code last} (any case). */
  public static Aggregation parse(String text) {
    for (Aggregation a : values()) {
      if (a.name().equalsIgnoreCase(text.trim())) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "unknown aggregation '" + text + "': use one of sum, mean, last");
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
