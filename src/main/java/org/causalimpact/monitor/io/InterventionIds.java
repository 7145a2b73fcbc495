package org.causalimpact.monitor.io;

import java.util.regex.Pattern;
import org.causalimpact.monitor.InputException;

/**
 * The rule for intervention ids: 1 to {@value #MAX_LENGTH} characters of ASCII letters, digits,
 * {@code .}, {@code _}, {@code :} and {@code -}, starting with a letter or a digit (so {@code
 * spring-campaign}, {@code 2026-11-22T12:00}, {@code ab_test.v2} are ids). An id becomes part of
 * record keys ({@code monitor/id/node}, where a {@code /} would make the key ambiguous), of API
 * paths ({@code .} and {@code ..} would be resolved away) and of metric labels. Thread-safe.
 */
public final class InterventionIds {
  /** The longest id. */
  public static final int MAX_LENGTH = 128;

  /** The rule in words, for messages. */
  public static final String RULE =
      "1 to " + MAX_LENGTH + " characters of letters, digits, '.', '_', ':' and '-', starting"
          + " with a letter or digit";

  private static final Pattern ID =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0," + (MAX_LENGTH - 1) + "}");

  private InterventionIds() {}

  /** Whether {@code id} follows the rule; {@code null} does not. */
  public static boolean isValid(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /**
   * Returns {@code id} if it follows the rule.
   *
   * @param where what holds the id, to start the message with (e.g. "intervention event in FILE")
   * @throws InputException saying the rule, with the id (shortened when long) otherwise
   */
  public static String require(String id, String where) {
    if (!isValid(id)) {
      throw new InputException(
          where + ": \"id\" " + shown(id) + " is not an intervention id: use " + RULE);
    }
    return id;
  }

  /** The id quoted, cut to a bounded length so that a huge one does not flood the message. */
  private static String shown(String id) {
    if (id == null) {
      return "null";
    }
    if (id.length() <= MAX_LENGTH + 1) {
      return "'" + id + "'";
    }
    return "'" + id.substring(0, MAX_LENGTH) + "...' (" + id.length() + " characters)";
  }
}
