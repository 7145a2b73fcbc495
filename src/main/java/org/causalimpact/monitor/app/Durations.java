package org.causalimpact.monitor.app;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as settings and options give them. Stateless. */
public final class Durations {
  private static final Pattern SHORT_DURATION =
      Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

  private Durations() {}

  /**
   * Parses a duration: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 1d}, or ISO-8601
   * ({@code PT30S}).
   *
   * @throws IllegalArgumentException when {@code text} is none of these or negative
   */
  public static Duration parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("needs a duration such as 30s, 2m or PT30S");
    }
    String t = text.strip();
    Matcher m = SHORT_DURATION.matcher(t);
    Duration d;
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d =
          switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
    } else {
      try {
        d = Duration.parse(t);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "'" + text + "' is not a duration; use e.g. 500ms, 30s, 2m, 1h or PT30S");
      }
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException("'" + text + "' is negative; give a duration >= 0");
    }
    return d;
  }
}
