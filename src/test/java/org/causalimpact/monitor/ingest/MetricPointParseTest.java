package org.causalimpact.monitor.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link Inputs#point}, which reads points of a plain form straight from the bytes, against the
 * tree path the metric router used before ({@link Inputs#object}, then {@link Inputs#text}, {@link
 * Inputs#timestamp} and {@link Inputs#number}): for every input the same point, its value bit for
 * bit, or the same dead-letter reason and message. {@link Inputs#plainPoint} by itself must read
 * exactly the inputs that are in the plain form (restated here with regular expressions) and that
 * the tree path accepts, with the tree path's fields; every other input is left to the tree path.
 *
 * <p>Inputs: the metric cases of {@link BadInputCorpusTest}, encodings other than UTF-8, and,
 * from generators with fixed seeds (printed on failure), random points (doubles of every kind,
 * long digit strings, integers beyond {@code long}, epoch and ISO timestamps, escaped and
 * non-ASCII strings, extra and nested fields, white space, fields in any order) and random
 * corruptions of them (truncation, byte changes, invalid UTF-8, repeated keys, trailing text).
 */
class MetricPointParseTest {
  private static final long SEED = 20_260_101L;
  private static final long NOW = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

  @Test
  void aTypicalPointIsReadWithoutTheTree() {
    Inputs.Point p =
        Inputs.plainPoint(
            utf8("{\"series\":\"m12_b\",\"timestamp\":1767225600003,\"value\":101.73268230184355}"));
    assertNotNull(p, "read without the tree");
    assertEquals(new Inputs.Point("m12_b", 1767225600003L, 101.73268230184355), p);
  }

  @Test
  void corpusCasesHaveTheOutcomeOfTheTreePath() {
    Tally tally = new Tally("corpus");
    for (byte[] value : corpus()) {
      tally.check(value);
    }
    assertTrue(tally.accepted >= 10 && tally.rejected >= 40, tally.toString());
  }

  @Test
  void randomPointsHaveTheOutcomeOfTheTreePath() {
    Random rnd = new Random(SEED);
    Tally tally = new Tally("random points, seed " + SEED);
    for (int i = 0; i < 30_000; i++) {
      tally.check(utf8(point(rnd)));
    }
    assertTrue(tally.plain > 6_000 && tally.rejected > 10_000, tally.toString());
  }

  @Test
  void corruptedPointsHaveTheOutcomeOfTheTreePath() {
    Random rnd = new Random(SEED + 1);
    Tally tally = new Tally("corrupted points, seed " + (SEED + 1));
    for (int i = 0; i < 30_000; i++) {
      tally.check(corrupt(utf8(point(rnd)), rnd));
    }
    assertTrue(
        tally.plain > 500
            && tally.reasons.getOrDefault("invalid-utf8", 0) > 1_000
            && tally.reasons.getOrDefault("malformed-json", 0) > 10_000,
        tally.toString());
  }

  /** Outcomes of both paths over many inputs; the first difference fails the test. */
  private static final class Tally {
    final String name;
    int accepted;
    int rejected;
    int plain;
    final Map<String, Integer> reasons = new TreeMap<>();

    Tally(String name) {
      this.name = name;
    }

    void check(byte[] value) {
      String tree = outcome(() -> treePath(value));
      assertEquals(tree, outcome(() -> Inputs.point(value)), () -> name + ": " + show(value));
      Inputs.Point p = Inputs.plainPoint(value);
      if (p != null) {
        plain++;
        assertEquals(tree, outcome(() -> p), () -> name + ", read by itself: " + show(value));
      }
      boolean expectPlain = tree.startsWith("point ") && plainForm(value);
      assertEquals(
          expectPlain, p != null,
          () -> name + (expectPlain ? ": plain but not read by itself: " : ": not plain but read: ")
              + show(value));
      if (tree.startsWith("point ")) {
        accepted++;
      } else {
        rejected++;
        reasons.merge(tree.substring(0, tree.indexOf(':')), 1, Integer::sum);
      }
    }

    @Override
    public String toString() {
      return name + ": " + accepted + " accepted (" + plain + " of them in plain form), "
          + rejected + " rejected " + reasons;
    }
  }

  private static final String SPACE = "[ \\t\\n\\r]*+";
  private static final Pattern OPEN = Pattern.compile(SPACE + "\\{");

  private static final String STRING = "\"[^\"\\\\\\x00-\\x1F\\x7F]*+\"";

  /** A member: a name, a string, a number or a literal, then , or }. */
  private static final Pattern MEMBER =
      Pattern.compile(
          SPACE + "(" + STRING + ")" + SPACE + ":" + SPACE
              + "(" + STRING + "|true|false|null"
              + "|-?+(?:0|[1-9][0-9]*+)(?:\\.[0-9]++)?+(?:[eE][+-]?+[0-9]++)?+)"
              + SPACE + "([,}])");

  private static final Set<String> FIELDS = Set.of("\"series\"", "\"timestamp\"", "\"value\"");

  /**
   * The plain form of {@link Inputs#plainPoint} restated with regular expressions, as its Javadoc
   * states it.
   */
  private static boolean plainForm(byte[] value) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(value)).toString();
    } catch (CharacterCodingException e) {
      return false;
    }
    Matcher open = OPEN.matcher(text);
    if (!open.lookingAt()) {
      return false;
    }
    Set<String> names = new HashSet<>();
    Matcher m = MEMBER.matcher(text);
    int at = open.end();
    do {
      m.region(at, text.length());
      if (!m.lookingAt() || !names.add(m.group(1)) || !plainValue(m.group(1), m.group(2))) {
        return false;
      }
      at = m.end();
    } while (m.group(3).equals(","));
    return names.containsAll(FIELDS)
        && names.size() <= FIELDS.size() + 8
        && text.substring(at).matches(SPACE);
  }

  private static boolean plainValue(String name, String v) {
    boolean string = v.startsWith("\"");
    boolean literal = v.equals("true") || v.equals("false") || v.equals("null");
    boolean integer = v.matches("-?[0-9]+");
    boolean number =
        !string && !literal && (integer ? v.replace("-", "").length() <= 18 : v.length() <= 64);
    return switch (name) {
      case "\"series\"" -> string;
      case "\"timestamp\"" -> string || (number && integer && !v.startsWith("-"));
      case "\"value\"" -> number;
      default ->
          name.getBytes(StandardCharsets.UTF_8).length <= 256 && (string || literal || number);
    };
  }

  /** The metric router's reading before the plain form was read without a tree. */
  private static Inputs.Point treePath(byte[] value) throws Rejected {
    JsonNode root = Inputs.object(value);
    return new Inputs.Point(
        Inputs.text(root, "series"), Inputs.timestamp(root, "timestamp"),
        Inputs.number(root, "value"));
  }

  private interface Parse {
    Inputs.Point get() throws Rejected;
  }

  private static String outcome(Parse parse) {
    try {
      Inputs.Point p = parse.get();
      return "point " + p.series() + " " + p.timestamp() + " "
          + Long.toHexString(Double.doubleToRawLongBits(p.value()));
    } catch (Rejected r) {
      // where Jackson notices that a name or string is over its limit depends on the sizes of the
      // buffers it recycles, i.e. on what ran before on the thread: the length it reports is not
      // a property of the input
      return r.reason() + ": "
          + r.getMessage().replaceAll("length \\(\\d+\\) exceeds", "length (N) exceeds");
    } catch (RuntimeException e) { // not expected of either path, but then both must throw it
      return "throws " + e;
    }
  }

  // ---- fixed cases ---------------------------------------------------------------------------

  private static List<byte[]> corpus() {
    String valid = validX("1.0");
    List<String> texts =
        new ArrayList<>(
            List.of(
                "{\"series\":\"x\",\"timestamp\":", "x=42 at 10:00",
                "{'series':'x','timestamp':" + NOW + ",'value':1}", valid + " trailing",
                valid + validX("2.0"),
                "{\"series\":\"x\",\"timestamp\":" + NOW + ",\"value\":1,\"value\":2}",
                "{\"series\":\"x\u0001\",\"timestamp\":" + NOW + ",\"value\":1}",
                validX("1" + "0".repeat(5_000)), "[" + valid + "]", "42.0", "\"x=42\"", "null",
                " \n\t ", "{\"timestamp\":" + NOW + ",\"value\":1}",
                "{\"series\":\"x\",\"value\":1}",
                "{\"series\":\"x\",\"timestamp\":" + NOW + ",\"value\":null}", validX("\"42\""),
                validX("{\"mean\":1}"), "{\"series\":7,\"timestamp\":" + NOW + ",\"value\":1}",
                "{\"series\":\"  \",\"timestamp\":" + NOW + ",\"value\":1}",
                "{\"series\":\"x\",\"timestamp\":true,\"value\":1}",
                "{\"series\":\"x\",\"timestamp\":" + NOW + ".5,\"value\":1}", validX("1e309"),
                validX("-1e400"), validX("NaN"), validX("-Infinity"), validX("Infinity"),
                validX("1e308"), validX("1.7e308"), validX("-1.7e308"),
                validX(Double.toString(Inputs.MAX_ABS_VALUE)),
                validX(Double.toString(-Math.nextUp(Inputs.MAX_ABS_VALUE))),
                "{\"series\":\"x\",\"timestamp\":-1,\"value\":1.0}",
                "{\"series\":\"x\",\"timestamp\":\"+10000-01-01T00:00:00Z\",\"value\":1}",
                "{\"series\":\"x\",\"timestamp\":" + NOW * 1000 + ",\"value\":1}",
                "{\"series\":\"x\",\"timestamp\":123456789012345678901234567890,\"value\":1}",
                "{\"series\":\"x\",\"timestamp\":\"22/11/2026 10:00\",\"value\":1}",
                "{\"series\":\"revenue\",\"timestamp\":" + NOW + ",\"value\":1}", valid, "{",
                "[]", "1e400", "{\"series\":\"x\"}", valid + "x", "{}",
                "{\"series\":\"x\",\"timestamp\":\" 2026-01-01T00:00:00Z \",\"value\":1}",
                "{\"series\":\"x\",\"timestamp\":" + Inputs.MAX_TIME + ",\"value\":1}",
                "{\"series\":\"x\",\"timestamp\":" + (Inputs.MAX_TIME + 1) + ",\"value\":1}",
                "{\"series\":\"x\",\"timestamp\":9223372036854775807,\"value\":1}",
                "{\"series\":\"x\",\"timestamp\":9223372036854775808,\"value\":1}",
                "{\"series\":\"x\",\"timestamp\":-9223372036854775808,\"value\":1}",
                "{\"series\":\"x\",\"timestamp\":\"+1000000000-12-31T23:59:59.999999999Z\","
                    + "\"value\":1}",
                "{\"ser\\u0069es\":\"x\",\"timestamp\":" + NOW + ",\"value\":1}",
                "{\"series\":\"x\",\"timestamp\":" + NOW + ",\"value\":1,\"x\":NaN}",
                "{\"series\":\"x\",\"timestamp\":" + NOW + ",\"value\":1,\"x\":{\"value\":[{}]}}",
                "{\"series\":\"x\",\"timestamp\":" + NOW + ",\"value\":1,\"x\":{\"a\":1,\"a\":2}}",
                "{\"series\":\"x\",\"timestamp\":" + NOW + ",\"value\":1,\"x\":1"
                    + "0".repeat(5_000) + "}",
                "{\"series\":\"x\",\"timestamp\":" + NOW + ",\"value\":1,\""
                    + "n".repeat(60_000) + "\":1}",
                "{\"series\":\"x\",\"timestamp\":" + NOW + ",\"value\":1}\n",
                " {\"series\":\"x\",\"timestamp\":" + NOW + ",\"value\":1}",
                "{\"series\":\"x\",\"timestamp\":" + NOW + ",\"value\":-0}",
                "{\"series\":\"x\",\"timestamp\":" + NOW + ",\"value\":-0.0}",
                "{\"series\":\"x\",\"timestamp\":" + NOW + ",\"value\":99999999999999999999}",
                "{\"series\":\"x\",\"timestamp\":" + NOW + ",\"value\":1,}",
                "{\"series\":\"x\",\"timestamp\":" + NOW + ",\"value\":01}",
                "{\"series\":\"x\",\"timestamp\":" + NOW + ",\"value\":+1}",
                "{\"series\":\"x\",\"timestamp\":" + NOW + ",\"value\":.5}",
                "{\"series\":\"x\",\"timestamp\":" + NOW + ",\"value\":1 /* c */}"));
    for (String number :
        List.of(
            "1e", "1e+", "1E-", "1.", "-", "1.e5", "-.5", "0x10", "1_000", "--1", "-+1", "- 1",
            "1e--5")) {
      texts.add(validX(number));
    }
    for (String space : List.of("\f", "\u000B", "\u00A0", "\u2028", "\uFEFF")) {
      texts.add("{\"series\":\"x\"," + space + "\"timestamp\":" + NOW + ",\"value\":1}");
      texts.add(validX("1") + space);
    }
    for (int depth : new int[] {998, 999, 1000, 1001, 200_000}) {
      String deep = "[".repeat(depth) + "]".repeat(depth);
      texts.add("{\"series\":\"x\",\"timestamp\":" + NOW + ",\"value\":1,\"deep\":" + deep + "}");
    }
    for (int extras = 7; extras <= 9; extras++) {
      StringBuilder point = new StringBuilder(validX("1").replace("}", ""));
      for (int i = 0; i < extras; i++) {
        point.append(",\"e").append(i).append("\":");
        point.append(List.of("1", "\"a\"", "null").get(i % 3));
      }
      texts.add(point.append('}').toString());
    }
    String json = validX("7.0");
    texts.add(json + " ".repeat(Inputs.MAX_BYTES - json.length()));
    texts.add(json + " ".repeat(Inputs.MAX_BYTES - json.length() + 1));
    List<byte[]> values = new ArrayList<>();
    for (String t : texts) {
      values.add(utf8(t));
    }
    byte[] v = utf8(valid);
    values.add(new byte[0]);
    values.add(null);
    values.add(new byte[] {(byte) 0xFF, (byte) 0xFE, '{'});
    values.add(concat(utf8("{\"series\":\"x"), bytes(0xC0, 0xAF), utf8("\",\"value\":1}")));
    values.add(concat(v, bytes(0xED, 0xA0, 0x80)));
    values.add(concat(bytes(0xEF, 0xBB, 0xBF), v)); // byte-order mark
    values.add(concat(bytes('{', 0), Arrays.copyOfRange(v, 1, v.length)));
    values.add(bytes('{', 0));
    values.add(bytes('{'));
    for (String charset : List.of("UTF-16LE", "UTF-16BE", "UTF-16", "UTF-32LE", "UTF-32BE")) {
      values.add(valid.getBytes(Charset.forName(charset)));
    }
    return values;
  }

  private static String validX(String value) {
    return "{\"series\":\"x\",\"timestamp\":" + NOW + ",\"value\":" + value + "}";
  }

  // ---- random points -------------------------------------------------------------------------

  private static final String[] SERIES = {
    "\"m12_b\"", "\"x\"", "\"débit\"", "\"日本語\"", "\"\uD83D\uDCC8 sales\"", "\"a\\\"b\"",
    "\"\\u00e9t\\u00e9\"", "\"\\ud83d\\udcc8\"", "\"tab\\tin\"", "\"  \"", "\"\"", "\"\\u0020\"",
    "\"\\ud800\"", "\"x\\/y\"", "\"\u2028\uFFFF\"", "\"del\u007F\"", "7", "null", "true",
    "[\"x\"]", "{\"a\":1}"
  };

  private static final String[] ODD_TIMES = {
    "0", Long.toString(Inputs.MAX_TIME), "-1", Long.toString(Inputs.MAX_TIME + 1),
    "9223372036854775807", "-9223372036854775808", "9223372036854775808",
    "123456789012345678901234567890",
    BigInteger.ONE.shiftLeft(64).add(BigInteger.valueOf(NOW)).toString(), // NOW once wrapped
    "1767225600003.5", "1.767225600003e12", "-0", "null", "true",
    "{}", "[]", "\"2026-01-01T00:00:00+01:00\"", "\"2026-01-01T00:00:00.123456789Z\"",
    "\"22/11/2026 10:00\"", "\"+10000-01-01T00:00:00Z\"", "\"-0001-01-01T00:00:00Z\"",
    "\"+1000000000-12-31T23:59:59.999999999Z\"", "\"\"", "\"soon\""
  };

  private static final String[] ODD_VALUES = {
    "NaN", "Infinity", "-Infinity", "+Infinity", "INF", "\"42\"", "null", "true", "{\"mean\":1}",
    "[1]", "-0", "-0.0", "0e0", "1E+2", "1e-400", "4.9e-324", "2.4703282292062327e-324",
    "2.4703282292062328e-324", "1.7976931348623157e308", "1.7976931348623159e308",
    "9007199254740993", "9007199254740993.0", "18446744073709551615", "-9223372036854775809"
  };

  private static String point(Random rnd) {
    List<String> members = new ArrayList<>();
    if (rnd.nextInt(40) != 0) {
      members.add(member(rnd, rnd.nextInt(30) == 0 ? "ser\\u0069es" : "series", series(rnd)));
    }
    if (rnd.nextInt(40) != 0) {
      members.add(member(rnd, "timestamp", timestamp(rnd)));
    }
    if (rnd.nextInt(40) != 0) {
      members.add(member(rnd, "value", number(rnd)));
    }
    int extras = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(3) : 0;
    if (rnd.nextInt(30) == 0) {
      extras = 6 + rnd.nextInt(6); // around the most the plain form takes
    }
    for (int i = 0; i < extras; i++) {
      members.add(member(rnd, extraName(rnd, i), anyValue(rnd, 0)));
    }
    Collections.shuffle(members, rnd);
    String body = String.join(space(rnd) + "," + space(rnd), members);
    String object = "{" + space(rnd) + body + space(rnd) + "}";
    return (rnd.nextInt(20) == 0 ? space(rnd) : "") + object
        + (rnd.nextInt(10) == 0 ? space(rnd) : "");
  }

  /** Mostly distinct, sometimes the name of another extra field or about the longest plain one. */
  private static String extraName(Random rnd, int i) {
    return switch (rnd.nextInt(20)) {
      case 0 -> "extra0";
      case 1 -> "é".repeat(125 + rnd.nextInt(4)) + i;
      default -> "extra" + i;
    };
  }

  private static String member(Random rnd, String name, String value) {
    return "\"" + name + "\"" + space(rnd) + ":" + space(rnd) + value;
  }

  /** Mostly none, sometimes any of JSON's four white-space characters. */
  private static String space(Random rnd) {
    if (rnd.nextInt(8) != 0) {
      return "";
    }
    StringBuilder s = new StringBuilder();
    for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
      s.append(" \t\n\r".charAt(rnd.nextInt(4)));
    }
    return s.toString();
  }

  private static String series(Random rnd) {
    if (rnd.nextBoolean()) {
      return "\"" + "abcxyz_.-0123456789".substring(0, 1 + rnd.nextInt(19)) + "\"";
    }
    return SERIES[rnd.nextInt(SERIES.length)];
  }

  private static String timestamp(Random rnd) {
    long millis = (long) (rnd.nextDouble() * Inputs.MAX_TIME);
    return switch (rnd.nextInt(10)) {
      case 0, 1 -> "\"" + Instant.ofEpochMilli(millis) + "\"";
      case 2 -> "\"" + space(rnd) + Instant.ofEpochMilli(millis) + space(rnd) + "\"";
      case 3 -> ODD_TIMES[rnd.nextInt(ODD_TIMES.length)];
      default -> Long.toString(millis);
    };
  }

  private static String number(Random rnd) {
    return switch (rnd.nextInt(12)) {
      case 0 -> Double.toString(Double.longBitsToDouble(rnd.nextLong()));
      case 1 -> Double.toString(Double.MIN_VALUE * rnd.nextInt(1 << 20)); // subnormal
      case 2 -> Double.toString((rnd.nextBoolean() ? -1 : 1) * Math.scalb(rnd.nextDouble(), 330));
      case 3 ->
          String.format(
              Locale.ROOT, "%.17g", rnd.nextGaussian() * Math.pow(10, rnd.nextInt(200) - 100));
      case 4 -> digits(rnd);
      case 5 -> Long.toString(rnd.nextLong());
      case 6 -> new BigInteger(40 + rnd.nextInt(80), rnd).negate().toString();
      case 7 -> new BigDecimal(rnd.nextGaussian() * Math.pow(10, rnd.nextInt(40) - 20)).toString();
      case 8 -> ODD_VALUES[rnd.nextInt(ODD_VALUES.length)];
      case 9 -> Double.toString(
          nearBound(rnd) * (rnd.nextBoolean() ? 1 : -1));
      default -> Double.toString(rnd.nextGaussian() * 100);
    };
  }

  /** {@link Inputs#MAX_ABS_VALUE} and its neighbours. */
  private static double nearBound(Random rnd) {
    double bound = Inputs.MAX_ABS_VALUE;
    return switch (rnd.nextInt(3)) {
      case 0 -> bound;
      case 1 -> Math.nextUp(bound);
      default -> Math.nextDown(bound);
    };
  }

  /** A number literal with up to 40 digits before and 30 after the point, and an exponent. */
  private static String digits(Random rnd) {
    StringBuilder s = new StringBuilder(rnd.nextInt(4) == 0 ? "-" : "");
    int whole = 1 + rnd.nextInt(40);
    s.append(1 + rnd.nextInt(9));
    for (int i = 1; i < whole; i++) {
      s.append(rnd.nextInt(10));
    }
    if (rnd.nextBoolean()) {
      s.append('.');
      for (int i = rnd.nextInt(30); i >= 0; i--) {
        s.append(rnd.nextInt(10));
      }
    }
    if (rnd.nextBoolean()) {
      s.append(rnd.nextBoolean() ? 'e' : 'E');
      s.append(rnd.nextBoolean() ? "-" : rnd.nextBoolean() ? "+" : "");
      s.append(rnd.nextInt(420));
    }
    return s.toString();
  }

  /** Any JSON value, nested at most three deep; objects may reuse the point's field names. */
  private static String anyValue(Random rnd, int depth) {
    int kind = rnd.nextInt(depth < 3 ? 8 : 6);
    return switch (kind) {
      case 0 -> number(rnd);
      case 1 -> series(rnd);
      case 2 -> "true";
      case 3 -> "null";
      case 4 -> "NaN";
      case 5 -> "\"" + "é\\n".repeat(rnd.nextInt(4)) + "\"";
      case 6 -> {
        List<String> items = new ArrayList<>();
        for (int i = rnd.nextInt(4); i > 0; i--) {
          items.add(anyValue(rnd, depth + 1));
        }
        yield "[" + String.join(",", items) + "]";
      }
      default -> {
        List<String> items = new ArrayList<>();
        String[] names = {"series", "value", "timestamp", "a"};
        for (int i = rnd.nextInt(4); i > 0; i--) {
          items.add(member(rnd, names[i], anyValue(rnd, depth + 1)));
        }
        yield "{" + String.join(",", items) + "}";
      }
    };
  }

  // ---- corruptions ---------------------------------------------------------------------------

  private static final byte[][] INSERTS = {
    bytes(0xC0, 0xAF), bytes(0xED, 0xA0, 0x80), bytes(0xF4, 0x90, 0x80, 0x80), bytes(0x80),
    bytes(0xE2, 0x82), bytes(0xF8, 0x88, 0x80, 0x80, 0x80), bytes(0xEF, 0xBB, 0xBF),
    bytes(0xC3, 0xA9), bytes(0), bytes('"'), bytes('\\'), bytes(','), bytes('}'), bytes('{'),
    bytes(':'), bytes(' '), bytes('\t'), bytes(0x7F), bytes(0x1F), bytes(0x0C), bytes(0xC2, 0xA0),
    utf8("\"value\":1,"),
    utf8("\"series\":\"x\","), utf8("\"timestamp\":0,"), utf8("{}"), utf8(" x"), utf8("null")
  };

  /** Bytes that change what a JSON text means. */
  private static final String SYNTAX = "{}[]\":,\\ 0eE.-";

  private static byte[] corrupt(byte[] v, Random rnd) {
    int at = rnd.nextInt(v.length + 1);
    byte[] head = Arrays.copyOf(v, at);
    byte[] tail = Arrays.copyOfRange(v, at, v.length);
    return switch (rnd.nextInt(8)) {
      case 0 -> head; // truncated
      case 1 -> concat(head, INSERTS[rnd.nextInt(INSERTS.length)], tail);
      case 2 -> { // one byte changed
        byte[] c = v.clone();
        int b = rnd.nextBoolean() ? rnd.nextInt(256) : SYNTAX.charAt(rnd.nextInt(SYNTAX.length()));
        c[rnd.nextInt(c.length)] = (byte) b;
        yield c;
      }
      case 3 -> at < v.length ? concat(head, Arrays.copyOfRange(tail, 1, tail.length)) : head;
      case 4 -> { // a key given again: the first member copied before itself
        String s = new String(v, StandardCharsets.UTF_8);
        int brace = s.indexOf('{');
        int comma = s.indexOf(',');
        yield brace < 0 || comma < brace
            ? v
            : utf8(s.substring(0, comma + 1) + s.substring(brace + 1));
      }
      case 5 -> concat(v, INSERTS[rnd.nextInt(INSERTS.length)]);
      case 6 -> concat(INSERTS[rnd.nextInt(INSERTS.length)], v);
      default -> new String(v, StandardCharsets.UTF_8)
          .getBytes(rnd.nextBoolean() ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE);
    };
  }

  // ---- bytes ---------------------------------------------------------------------------------

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** The input for a failure message: text where it is printable UTF-8 and short, else hex. */
  private static String show(byte[] value) {
    if (value == null) {
      return "null";
    }
    String head = HexFormat.of().formatHex(value, 0, Math.min(value.length, 400));
    String text = new String(value, 0, Math.min(value.length, 400), StandardCharsets.UTF_8);
    return value.length + " bytes: " + text + " | hex " + head;
  }
}
