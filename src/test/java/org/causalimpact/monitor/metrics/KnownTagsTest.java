package org.causalimpact.monitor.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.causalimpact.monitor.live.TopologySettings;
import org.junit.jupiter.api.Test;

/**
 * The reason lists of {@link KnownTags} against the reasons {@code src/main} really uses (read from
 * the sources, grep-like) and the ones docs/input-contract.md documents: a reason used but not
 * listed would appear in Prometheus only at its first dead letter, which {@code increase()} misses.
 */
class KnownTagsTest {
  private static final Path SOURCES = Path.of("src", "main", "java");
  private static final Path CONTRACT = Path.of("docs", "input-contract.md");

  /** Calls whose first argument is a dead-letter reason. */
  private static final Pattern DEAD_CALL =
      Pattern.compile("(?:new Rejected|new Refusal|new DeadLetter|\\.dead)\\(");
  /** Calls whose second argument is a send-error reason. */
  private static final Pattern SEND_CALL = Pattern.compile("\\bsendFailed\\(");
  private static final Pattern REASON_ASSIGNED =
      Pattern.compile("\\breason\\s*=\\s*(\"[^\"]*\"|[A-Z_]+)\\s*;");
  private static final Pattern REASON_METHOD = Pattern.compile("\\bString reason\\([^)]*\\)");
  private static final Pattern LITERAL = Pattern.compile("\"([^\"\\\\]*)\"");
  private static final Pattern CONSTANT = Pattern.compile("\\b[A-Z][A-Z_]+\\b");
  private static final Pattern WORD = Pattern.compile("[a-z]+(?:-[a-z0-9]+)*");

  /** Reasons found in the sources, each with where. */
  private record Found(Map<String, Set<String>> dead, Map<String, Set<String>> send) {}

  private static Found scan() throws IOException {
    Found found = new Found(new TreeMap<>(), new TreeMap<>());
    List<Path> files;
    try (Stream<Path> s = Files.walk(SOURCES)) {
      files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    for (Path file : files) {
      String src = Files.readString(file, StandardCharsets.UTF_8);
      String where = SOURCES.relativize(file).toString();
      for (String arg : arguments(src, DEAD_CALL, 0)) {
        words(src, arg).forEach(w -> add(found.dead(), w, where));
      }
      Matcher a = REASON_ASSIGNED.matcher(src);
      while (a.find()) {
        words(src, a.group(1)).forEach(w -> add(found.dead(), w, where));
      }
      for (String arg : arguments(src, SEND_CALL, 1)) {
        words(src, arg).forEach(w -> add(found.send(), w, where));
      }
      Matcher m = REASON_METHOD.matcher(src);
      while (m.find()) {
        String body = balanced(src, src.indexOf('{', m.end()), '{', '}');
        Matcher r = Pattern.compile("return\\s+(\"[^\"]*\")\\s*;").matcher(body);
        while (r.find()) {
          words(src, r.group(1)).forEach(w -> add(found.send(), w, where));
        }
      }
    }
    return found;
  }

  private static void add(Map<String, Set<String>> into, String reason, String where) {
    into.computeIfAbsent(reason, r -> new TreeSet<>()).add(where);
  }

  /** Argument {@code n} (from 0) of every call {@code call} matches in {@code src}. */
  private static List<String> arguments(String src, Pattern call, int n) {
    List<String> args = new ArrayList<>();
    Matcher m = call.matcher(src);
    while (m.find()) {
      int depth = 0;
      int index = 0;
      int start = m.end();
      boolean inString = false;
      for (int i = m.end(); i < src.length(); i++) {
        char c = src.charAt(i);
        if (inString) {
          if (c == '\\') {
            i++;
          } else if (c == '"') {
            inString = false;
          }
        } else if (c == '"') {
          inString = true;
        } else if (c == '(') {
          depth++;
        } else if (c == ')' && depth-- == 0 || c == ',' && depth == 0) {
          if (index++ == n) {
            args.add(src.substring(start, i));
            break;
          }
          if (c == ')') {
            break;
          }
          start = i + 1;
        }
      }
    }
    return args;
  }

  /** The text from {@code open} at {@code from} to its matching {@code close}. */
  private static String balanced(String src, int from, char open, char close) {
    int depth = 0;
    for (int i = from; i < src.length(); i++) {
      if (src.charAt(i) == open) {
        depth++;
      } else if (src.charAt(i) == close && --depth == 0) {
        return src.substring(from, i + 1);
      }
    }
    return src.substring(from);
  }

  /**
   * The reason words of an argument: its string literals that are reason-like words, and the
   * values of its upper-case constants declared in the same file.
   */
  private static List<String> words(String src, String arg) {
    List<String> words = new ArrayList<>();
    Matcher l = LITERAL.matcher(arg);
    while (l.find()) {
      if (WORD.matcher(l.group(1)).matches()) {
        words.add(l.group(1));
      }
    }
    Matcher c = CONSTANT.matcher(arg.replaceAll("\"[^\"]*\"", ""));
    while (c.find()) {
      Matcher def =
          Pattern.compile("static final String " + c.group() + "\\s*=\\s*\"([^\"]*)\"")
              .matcher(src);
      if (def.find()) {
        words.add(def.group(1));
      }
    }
    return words;
  }

  private static Set<String> deadLetterReasons() {
    Set<String> all = new TreeSet<>(KnownTags.INPUT_REASONS);
    all.addAll(KnownTags.METRICS_REASONS);
    all.addAll(KnownTags.INTERVENTIONS_REASONS);
    all.addAll(KnownTags.OUTPUT_REASONS);
    return all;
  }

  @Test
  void everyReasonTheSourcesUseIsListed() throws IOException {
    Found found = scan();
    // the scan must see the reasons at all: a pattern that no longer matches would pass silently
    assertTrue(found.dead().size() >= 20, "dead-letter reasons found: " + found.dead());
    assertTrue(found.send().size() >= 4, "send-error reasons found: " + found.send());
    Map<String, Set<String>> unlisted = new TreeMap<>(found.dead());
    unlisted.keySet().removeAll(deadLetterReasons());
    assertTrue(
        unlisted.isEmpty(),
        "dead-letter reasons used in src/main but missing from KnownTags (add them to its lists"
            + " and to docs/input-contract.md): " + unlisted);
    Map<String, Set<String>> unlistedSend = new TreeMap<>(found.send());
    unlistedSend.keySet().removeAll(KnownTags.SEND_ERROR_REASONS);
    assertTrue(
        unlistedSend.isEmpty(),
        "send-error reasons used in src/main but missing from KnownTags.SEND_ERROR_REASONS: "
            + unlistedSend);
  }

  @Test
  void everyListedReasonIsUsedByTheSources() throws IOException {
    Found found = scan();
    Set<String> unused = deadLetterReasons();
    unused.removeAll(found.dead().keySet());
    assertEquals(Set.of(), unused, "listed in KnownTags, but no source dead-letters with it");
    Set<String> unusedSend = new TreeSet<>(KnownTags.SEND_ERROR_REASONS);
    unusedSend.removeAll(found.send().keySet());
    assertEquals(Set.of(), unusedSend, "send-error reasons listed but not used");
  }

  /** The tables of docs/input-contract.md's "Dead letters" and "Outputs" sections. */
  @Test
  void theInputContractDocumentsExactlyTheListedReasons() throws IOException {
    String doc = Files.readString(CONTRACT, StandardCharsets.UTF_8);
    String section = doc.substring(doc.indexOf("## Dead letters"));
    Set<String> documented = new TreeSet<>();
    Matcher row = Pattern.compile("(?m)^\\| `([a-z0-9-]+)` \\|").matcher(section);
    while (row.find()) {
      documented.add(row.group(1));
    }
    assertEquals(deadLetterReasons(), documented, CONTRACT + " vs KnownTags");
  }

  @Test
  void tagsOfTheDefaultTopics() {
    KnownTags known = KnownTags.of(TopologySettings.defaults(), List.of("demo"));
    assertEquals(List.of("metrics", "interventions"), known.inputTopics());
    assertTrue(known.deadLetters().get("metrics").contains("late"));
    assertTrue(known.deadLetters().get("interventions").contains("duplicate-start"));
    assertFalse(known.deadLetters().get("interventions").contains("late"));
    assertEquals(KnownTags.OUTPUT_REASONS, known.deadLetters().get("impact.summary"));
    assertEquals(
        Set.of("impact", "impact.summary", "model.health", "metrics.dlq", "interventions.dlq",
            "impact.dlq", "impact.summary.dlq", "model.health.dlq"),
        known.sendErrors().keySet());
    assertFalse(known.sendErrors().containsKey("metrics"), "nothing is written to an input");
    assertEquals(List.of("demo"), known.monitors());
  }
}
