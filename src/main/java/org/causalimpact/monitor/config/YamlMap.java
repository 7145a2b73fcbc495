package org.causalimpact.monitor.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.causalimpact.monitor.InputException;

/**
 * A YAML mapping of a monitor file being read, with typed accessors that reject wrong types,
 * non-finite numbers, non-integers and out-of-range values with a message naming the file, the
 * field and the bad value.
 *
 * <p>A message reads {@code SOURCE: [CONTEXT: ]PATH.KEY PROBLEM}, e.g. {@code funnel.yaml:
 * intervals.level ...} or {@code funnel.yaml: nodes[2] 'visits': parents[0].lags ...}: the
 * context names the list item a user looks for, the path leads from it to the field.
 *
 * <p>An explicit {@code null} (an empty value or {@code ~}) counts as absent: optional fields take
 * their default, required ones are reported missing. Immutable; reading does not change the tree.
 */
final class YamlMap {
  private final String source;
  private final String context;
  private final String path;
  private final JsonNode node;

  private YamlMap(String source, String context, String path, JsonNode node) {
    this.source = source;
    this.context = context;
    this.path = path;
    this.node = node;
  }

  /** The root mapping of a file; {@code root} must be an object node. */
  static YamlMap root(String source, JsonNode root) {
    return new YamlMap(source, "", "", root);
  }

  /** The mapping {@code value}, found at {@code label} inside this one. */
  YamlMap mapping(JsonNode value, String label) {
    if (!value.isObject()) {
      throw fail(label, "must be a mapping of 'key: value' lines, got " + describe(value));
    }
    return new YamlMap(source, context, label(label), value);
  }

  /** The mapping {@code value} as a new context, e.g. {@code nodes[2] 'visits'}. */
  YamlMap item(JsonNode value, String label, String newContext) {
    if (!value.isObject()) {
      throw fail(label, "must be a mapping of 'key: value' lines, got " + describe(value));
    }
    return new YamlMap(source, newContext, "", value);
  }

  String source() {
    return source;
  }

  /** Whether {@code key} is present with a non-null value. */
  boolean has(String key) {
    JsonNode v = node.get(key);
    return v != null && !v.isNull();
  }

  /** Whether {@code key} is present at all, even with an explicit {@code null}. */
  boolean present(String key) {
    return node.has(key);
  }

  /** The keys of this mapping in file order. */
  List<String> keys() {
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  /** The raw value of {@code key}, or {@code null} when absent or null. */
  JsonNode get(String key) {
    return has(key) ? node.get(key) : null;
  }

  /** Rejects every key not in {@code allowed}, suggesting the closest allowed one. */
  YamlMap allowOnly(String... allowed) {
    List<String> names = Arrays.asList(allowed);
    for (String key : keys()) {
      if (!names.contains(key)) {
        String suggestion = closest(key, names);
        throw new InputException(
            prefix()
                + (path.isEmpty() ? "" : path + ": ")
                + "unknown field '"
                + key
                + "'"
                + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)")
                + "; allowed fields here: "
                + String.join(", ", names));
      }
    }
    return this;
  }

  /** The child mapping at {@code key}, or {@code null} when absent or null. */
  YamlMap optionalMapping(String key) {
    JsonNode v = get(key);
    return v == null ? null : mapping(v, key);
  }

  /** The mapping at {@code key}, reported missing when absent. */
  YamlMap requiredMapping(String key, String hint) {
    return mapping(require(key, hint), key);
  }

  /** The list at {@code key}, or an empty list when absent or null. */
  List<JsonNode> optionalList(String key) {
    JsonNode v = get(key);
    return v == null ? List.of() : list(v, key);
  }

  /** The list {@code value} found at {@code label}. */
  List<JsonNode> list(JsonNode value, String label) {
    if (!value.isArray()) {
      throw fail(label, "must be a list ('[a, b]' or lines starting with '- '), got "
          + describe(value));
    }
    List<JsonNode> items = new ArrayList<>();
    value.elements().forEachRemaining(items::add);
    return items;
  }

  /** The value at {@code key}, reported missing (with {@code hint}) when absent or null. */
  JsonNode require(String key, String hint) {
    JsonNode v = get(key);
    if (v == null) {
      throw new InputException(
          prefix() + "missing required field '" + label(key) + "': " + hint);
    }
    return v;
  }

  /** A text value; numbers and booleans are not silently turned into text. */
  String string(JsonNode value, String label) {
    if (!value.isTextual()) {
      throw fail(label, "must be text, got " + describe(value));
    }
    return value.textValue();
  }

  boolean bool(String key, boolean fallback) {
    JsonNode v = get(key);
    if (v == null) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw fail(key, "must be true or false, got " + describe(v));
    }
    return v.booleanValue();
  }

  double number(String key, double fallback) {
    JsonNode v = get(key);
    return v == null ? fallback : number(v, key);
  }

  double requiredNumber(String key, String hint) {
    return number(require(key, hint), key);
  }

  /** A finite number; NaN, infinities and text are rejected. */
  double number(JsonNode value, String label) {
    if (!value.isNumber()) {
      throw fail(label, "must be a finite number, got " + describe(value));
    }
    double d = value.doubleValue();
    if (!Double.isFinite(d)) {
      throw fail(label, "must be a finite number, got " + describe(value));
    }
    return d;
  }

  int integer(String key, int fallback, int min, int max) {
    JsonNode v = get(key);
    return v == null ? fallback : integer(v, key, min, max);
  }

  int requiredInteger(String key, int min, int max, String hint) {
    return integer(require(key, hint), key, min, max);
  }

  /** An integer in {@code [min, max]}; a decimal with a fraction such as 1.5 is rejected. */
  int integer(JsonNode value, String label, int min, int max) {
    long n = integral(value, label);
    if (n < min || n > max) {
      throw fail(label, "must be " + range(min, max) + ", got " + describe(value));
    }
    return (int) n;
  }

  long longInteger(String key, long fallback) {
    JsonNode v = get(key);
    return v == null ? fallback : integral(v, key);
  }

  private long integral(JsonNode value, String label) {
    if (value.isIntegralNumber()) {
      BigInteger big = value.bigIntegerValue();
      if (big.bitLength() >= Long.SIZE) {
        throw fail(label, "is too large, got " + describe(value));
      }
      return big.longValue();
    }
    if (value.isNumber()) {
      double d = value.doubleValue();
      // 1000.0 or 1e3 written for an integer is accepted; 1.5 and NaN are not.
      if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 0x1p53) {
        return (long) d;
      }
    }
    throw fail(label, "must be an integer, got " + describe(value));
  }

  /** Runs a record constructor, reporting its {@link IllegalArgumentException} at {@code label}. */
  <T> T build(String label, Supplier<T> constructor) {
    try {
      return constructor.get();
    } catch (IllegalArgumentException e) {
      String where = label(label);
      throw new InputException(prefix() + (where.isEmpty() ? "" : where + ": ") + e.getMessage());
    }
  }

  /** An error about the field {@code label} of this mapping: {@code problem} follows its path. */
  InputException fail(String label, String problem) {
    return new InputException(prefix() + label(label) + " " + problem);
  }

  /** An error about this mapping as a whole. */
  InputException failHere(String problem) {
    return new InputException(prefix() + (path.isEmpty() ? "" : path + " ") + problem);
  }

  /** The path of {@code key} inside the current context, e.g. {@code intervals.level}. */
  String label(String key) {
    if (key.isEmpty() || path.isEmpty()) {
      return key.isEmpty() ? path : key;
    }
    return path + "." + key;
  }

  private String prefix() {
    return source + ": " + (context.isEmpty() ? "" : context + ": ");
  }

  /** How a value is quoted in a message: text in quotes, numbers as written, else its kind. */
  static String describe(JsonNode value) {
    if (value == null || value.isNull()) {
      return "nothing (null)";
    }
    if (value.isTextual()) {
      return "'" + value.textValue() + "'";
    }
    if (value.isObject()) {
      return "a mapping";
    }
    if (value.isArray()) {
      return "a list";
    }
    if (value.isFloatingPointNumber()) {
      return Double.toString(value.doubleValue());
    }
    return value.asText();
  }

  private static String range(int min, int max) {
    if (max == Integer.MAX_VALUE) {
      return "an integer >= " + min;
    }
    return "an integer between " + min + " and " + max;
  }

  /** The allowed name within edit distance 2 of {@code key} (ignoring case), or null. */
  private static String closest(String key, List<String> names) {
    return Spelling.nearest(key, names, 2);
  }
}
