package org.causalimpact.monitor.app;

import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * Which settings hold secrets, and the settings printed with those values masked: keys containing
 * {@code password}, {@code secret}, {@code jaas}, {@code token}, {@code credential}, {@code
 * user.info}, or ending in {@code .key}. Thread-safe.
 */
final class Secrets {
  private static final Pattern SECRET =
      Pattern.compile("password|secret|jaas|token|credential|user\\.info|\\.key$");
  private static final String MASK = "********";

  private Secrets() {}

  /** Whether the value of {@code key} is a secret that is never printed. */
  static boolean isSecret(String key) {
    return SECRET.matcher(key.toLowerCase(Locale.ROOT)).find();
  }

  /** {@code value}, or a mask when {@code key} holds a secret. */
  static String shown(String key, String value) {
    return isSecret(key) ? MASK : value;
  }

  /** One {@code key=value  (origin)} line per setting, secrets masked. */
  static String lines(Map<String, String> values, Map<String, String> origins) {
    StringBuilder sb = new StringBuilder();
    values.forEach(
        (k, v) ->
            sb.append(k).append('=').append(shown(k, v))
                .append("  (").append(origins.getOrDefault(k, "defaults")).append(")\n"));
    return sb.toString();
  }

  /** {@code prefix key=value, key=value}, then {@code }}: the settings inline, secrets masked. */
  static String inline(String prefix, Map<String, String> values) {
    StringJoiner j = new StringJoiner(", ", prefix, "}");
    values.forEach((k, v) -> j.add(k + "=" + shown(k, v)));
    return j.toString();
  }
}
