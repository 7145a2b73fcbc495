package org.causalimpact.monitor.io;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the time labels of table rows and the timestamps of events as instants, so that a period
 * bound or an intervention time can be matched to a row.
 *
 * <p>Accepted forms: {@code 2014}, {@code 2014-03}, {@code 2014-03-12}, {@code 2014-03-12T10:15},
 * {@code 2016-02-20 22:41:20}, with optional fractional seconds and an optional {@code Z} or
 * {@code +hh:mm} offset. Times without an offset are read as UTC, so that a file of local dates and
 * an event stamped in UTC agree on the same calendar day. Thread-safe; no state.
 */
public final class TimeLabels {
  private static final DateTimeFormatter LOCAL_DATE_TIME =
      new DateTimeFormatterBuilder()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .optionalStart()
          .appendLiteral('T')
          .optionalEnd()
          .optionalStart()
          .appendLiteral(' ')
          .optionalEnd()
          .appendValue(ChronoField.HOUR_OF_DAY, 2)
          .appendLiteral(':')
          .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
          .optionalStart()
          .appendLiteral(':')
          .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HH:MM", "Z")
          .optionalEnd()
          .toFormatter(java.util.Locale.ROOT);

  private static final Pattern YEAR = Pattern.compile("\\d{4}");
  private static final Pattern YEAR_MONTH = Pattern.compile("\\d{4}-\\d{2}");
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  private static final Pattern EPOCH_MILLIS = Pattern.compile("-?\\d{9,}");

  private TimeLabels() {}

  /** The instant a label stands for, or empty when it is not a recognised date or time. */
  public static Optional<Instant> parse(String text) {
    String s = text.trim();
    try {
      if (YEAR.matcher(s).matches()) {
        return Optional.of(Year.parse(s).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
      }
      if (YEAR_MONTH.matcher(s).matches()) {
        return Optional.of(
            YearMonth.parse(s).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
      }
      if (DATE.matcher(s).matches()) {
        return Optional.of(LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC));
      }
      var parsed = LOCAL_DATE_TIME.parseBest(s, OffsetDateTime::from, LocalDateTime::from);
      if (parsed instanceof OffsetDateTime o) {
        return Optional.of(o.toInstant());
      }
      return Optional.of(((LocalDateTime) parsed).toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /**
   * An event timestamp: any form {@link #parse} accepts, or epoch milliseconds (at least nine
   * digits, so that a year such as {@code 2026} is not mistaken for a millisecond count).
   */
  public static Optional<Instant> parseTimestamp(String text) {
    String s = text.trim();
    if (EPOCH_MILLIS.matcher(s).matches()) {
      try {
        return Optional.of(Instant.ofEpochMilli(Long.parseLong(s)));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return parse(s);
  }

  /**
   * Every label as an instant.
   *
   * @return the instants, or empty when any label is not a time (then no row can be matched by
   *     time)
   */
  public static Optional<List<Instant>> parseAll(List<String> labels) {
    if (labels == null) {
      return Optional.empty();
    }
    List<Instant> out = new ArrayList<>(labels.size());
    for (String l : labels) {
      Optional<Instant> t = parse(l);
      if (t.isEmpty()) {
        return Optional.empty();
      }
      out.add(t.get());
    }
    return Optional.of(out);
  }

  /** The first index whose time is {@code >= t}, or {@code -1} when every time is earlier. */
  public static int firstAtOrAfter(List<Instant> times, Instant t) {
    for (int i = 0; i < times.size(); i++) {
      if (!times.get(i).isBefore(t)) {
        return i;
      }
    }
    return -1;
  }

  /** The last index whose time is {@code <= t}, or {@code -1} when every time is later. */
  public static int lastAtOrBefore(List<Instant> times, Instant t) {
    for (int i = times.size() - 1; i >= 0; i--) {
      if (!times.get(i).isAfter(t)) {
        return i;
      }
    }
    return -1;
  }
}
