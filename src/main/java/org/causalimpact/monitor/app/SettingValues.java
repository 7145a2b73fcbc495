package org.causalimpact.monitor.app;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;

/**
 * Typed values of {@link AppSettings}: a setting read as a duration, a whole number, a boolean or a
 * topic name, its fallback when absent, and the settings' own message naming the key, its value
 * and where it came from when it is invalid. Immutable; thread-safe.
 */
final class SettingValues {
  private final AppSettings settings;

  SettingValues(AppSettings settings) {
    this.settings = settings;
  }

  /** The duration setting {@code key}, {@code fallback} if absent; {@code positive}: not 0. */
  Duration duration(String key, Duration fallback, boolean positive) {
    Duration d = parsed(key, fallback, Durations::parse);
    if (positive && d.isZero()) {
      throw settings.invalid(key, "must be longer than 0");
    }
    return d;
  }

  /** The whole-number setting {@code key}, {@code fallback} if absent; at least {@code min}. */
  int wholeNumber(String key, int fallback, int min) {
    int n = parsed(key, fallback, SettingValues::integer);
    if (n < min) {
      throw settings.invalid(key, "must be >= " + min);
    }
    return n;
  }

  private static int integer(String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be a whole number", e);
    }
  }

  /** The setting {@code key} read by {@code parse}, whose exception message says the problem. */
  private <T> T parsed(String key, T fallback, Function<String, T> parse) {
    String v = settings.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      return parse.apply(v);
    } catch (IllegalArgumentException e) {
      throw settings.invalid(key, e.getMessage());
    }
  }

  /** The setting {@code key}, {@code true} or {@code false}; {@code fallback} if absent. */
  boolean bool(String key, boolean fallback) {
    String v = settings.get(key);
    if (v == null) {
      return fallback;
    }
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw settings.invalid(key, "must be true or false");
    };
  }

  /** The topic-name setting {@code key}, {@code fallback} if absent. */
  String topic(String key, String fallback) {
    String t = settings.get(key);
    if (t == null) {
      return fallback;
    }
    if (!t.matches("[A-Za-z0-9._-]{1,249}")) {
      throw settings.invalid(key, "is not a Kafka topic name (letters, digits, '.', '_', '-')");
    }
    return t;
  }
}
