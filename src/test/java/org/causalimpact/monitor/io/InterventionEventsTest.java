package org.causalimpact.monitor.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.graph.Parent;
import org.causalimpact.monitor.io.InterventionEvents.InterventionEvent;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterventionEventsTest {
  private static final String EVENT =
      "{\"monitor\": \"demo\", \"id\": \"campaign\", \"action\": \"start\","
          + " \"timestamp\": \"2026-01-01T08:00:00Z\","
          + " \"do\": {\"ad_spend\": {\"shift\": 50.0}}, \"outcomes\": [\"visits\", \"signups\"]}";

  private static final CausalGraph GRAPH =
      CausalGraph.of(
          List.of(
              NodeDefinition.root("ad_spend"),
              new NodeDefinition(
                  "visits", List.of(new Parent("ad_spend", 0)), 0, null, false,
                  org.causalimpact.monitor.graph.Aggregation.SUM),
              new NodeDefinition(
                  "signups", List.of(new Parent("visits", 0)), 0, null, false,
                  org.causalimpact.monitor.graph.Aggregation.SUM)));

  @TempDir Path dir;

  private static String message(String json) {
    return assertThrows(InputException.class, () -> InterventionEvents.parse(json, "test"))
        .getMessage();
  }

  /** Rows every minute from 2026-01-01T00:00Z. */
  private static TimeSeriesTable minutes(int rows) {
    List<String> labels = new ArrayList<>();
    double[][] v = new double[3][rows];
    for (int t = 0; t < rows; t++) {
      labels.add(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(60L * t).toString());
    }
    return new TimeSeriesTable(List.of("ad_spend", "visits", "signups"), v, labels);
  }

  @Test
  void parsesTheDesignDocExample() {
    InterventionEvent e = InterventionEvents.parse(EVENT, "test");
    assertEquals("demo", e.monitor());
    assertEquals("campaign", e.id());
    assertEquals(Instant.parse("2026-01-01T08:00:00Z"), e.timestamp());
    assertNull(e.endTimestamp());
    assertEquals(new DoSpec.Shift(50.0), e.actions().get("ad_spend"));
    assertEquals(List.of("visits", "signups"), e.outcomes());
  }

  @Test
  void everyDoKindEpochMillisAndEnd() {
    InterventionEvent e =
        InterventionEvents.parse(
            "{\"id\": \"x\", \"timestamp\": 1767254400000, \"endTimestamp\": \"2026-01-01T09:00Z\","
                + " \"do\": {\"a\": {\"set\": 1}, \"b\": {\"scale\": 1.5}, \"c\": {\"observed\": true}}}",
            "test");
    assertEquals(Instant.parse("2026-01-01T08:00:00Z"), e.timestamp());
    assertEquals(Instant.parse("2026-01-01T09:00:00Z"), e.endTimestamp());
    assertEquals(new DoSpec.Set(1), e.actions().get("a"));
    assertEquals(new DoSpec.Scale(1.5), e.actions().get("b"));
    assertEquals(new DoSpec.Observed(), e.actions().get("c"));
    assertEquals(List.of("a", "b", "c"), List.copyOf(e.actions().keySet()));
  }

  @Test
  void readsInlineFileAndAtFile() throws Exception {
    Path f = Files.writeString(dir.resolve("e.json"), EVENT);
    assertEquals("campaign", InterventionEvents.read(EVENT).id());
    assertEquals("campaign", InterventionEvents.read(f.toString()).id());
    assertEquals("campaign", InterventionEvents.read("@" + f).id());
    String m =
        assertThrows(InputException.class, () -> InterventionEvents.read("nope.json"))
            .getMessage();
    assertTrue(m.contains("is neither JSON (which starts with '{') nor an existing file"), m);
  }

  @Test
  void rejectsBadEvents() {
    assertTrue(message("{\"id\": \"x\", \"timestamp\": 0, \"outcome\": [\"y\"]}")
        .contains("unknown field 'outcome'"));
    assertTrue(message("{\"id\": \"x\", \"timestamp\": \"2026-01-01\", \"outcomes\": [\"y\"],}")
        .contains("is not valid JSON"));
    assertTrue(message("[1]").contains("must be a JSON object"));
    assertTrue(message("{\"timestamp\": 0, \"outcomes\": [\"y\"]}").contains("needs an \"id\""));
    assertTrue(message("{\"id\": \"x\", \"outcomes\": [\"y\"]}").contains("needs a \"timestamp\""));
    assertTrue(message("{\"id\": \"x\", \"timestamp\": \"soon\", \"outcomes\": [\"y\"]}")
        .contains("\"timestamp\" is \"soon\""));
    assertTrue(message("{\"id\": \"x\", \"action\": \"end\", \"timestamp\": 0, \"outcomes\": [\"y\"]}")
        .contains("only a \"start\" event can be analysed"));
    assertTrue(message("{\"id\": \"x\", \"timestamp\": 0}").contains("neither \"do\" nor \"outcomes\""));
    assertTrue(message("{\"id\": \"x\", \"id\": \"y\", \"timestamp\": 0, \"outcomes\": [\"y\"]}")
        .contains("not valid JSON"));
  }

  @Test
  void idsFollowTheRule() {
    String template = "{\"id\": %s, \"timestamp\": 0, \"outcomes\": [\"y\"]}";
    String longest = "a".repeat(InterventionIds.MAX_LENGTH);
    for (String id : List.of("spring-campaign", "2026-11-22T12:00", "ab_test.v2", "X", longest)) {
      assertEquals(id, InterventionEvents.parse(String.format(template, "\"" + id + "\""), "t").id());
    }
    for (String id :
        List.of("a/b", "", " ", "campaign ", ".", "..", ".hidden", "-x", ":x", "na\u00efve",
            "a\\nb", "a%2Fb", longest + "a")) {
      String m = message(String.format(template, "\"" + id + "\""));
      assertTrue(m.contains("is not an intervention id: use " + InterventionIds.RULE), m);
      assertTrue(m.startsWith("intervention event in test: \"id\" '"), m);
    }
    String huge = message(String.format(template, "\"" + "b".repeat(100_000) + "\""));
    assertTrue(huge.length() < 500 && huge.contains("(100000 characters)"), huge);
    assertTrue(message(String.format(template, "7")).contains("\"id\" must be a string"));
  }

  @Test
  void theShippedEventFilesHaveValidIds() throws Exception {
    List<Path> files = new ArrayList<>();
    for (String d : List.of("config/interventions", "config/studies")) {
      try (var s = Files.list(Path.of(d))) {
        s.filter(f -> f.toString().endsWith(".json")).forEach(files::add);
      }
    }
    assertTrue(files.size() >= 3, "the demo, validation and study events: " + files);
    for (Path f : files) {
      assertTrue(InterventionIds.isValid(InterventionEvents.read(f.toString()).id()), f.toString());
    }
  }

  @Test
  void rejectsBadDoSpecs() {
    String base = "{\"id\": \"x\", \"timestamp\": 0, \"do\": {\"a\": %s}}";
    assertTrue(message(String.format(base, "{\"shift\": 1, \"set\": 2}"))
        .contains("needs exactly one of"));
    assertTrue(message(String.format(base, "{\"push\": 1}")).contains("unknown kind 'push'"));
    assertTrue(message(String.format(base, "{\"shift\": \"1\"}")).contains("needs a finite number"));
    assertTrue(message(String.format(base, "{\"scale\": 1e999}")).contains("needs a finite number"));
    assertTrue(message(String.format(base, "{\"observed\": false}")).contains("must be true"));
    assertTrue(message(String.format(base, "5")).contains("needs exactly one of"));
  }

  @Test
  void placedOnTheFirstRowAtOrAfterTheTimestamp() {
    InterventionEvent e =
        InterventionEvents.parse(
            "{\"id\": \"c\", \"timestamp\": \"2026-01-01T08:00:30Z\","
                + " \"endTimestamp\": \"2026-01-01T09:00:00Z\", \"do\": {\"ad_spend\": {\"shift\": 5}}}",
            "test");
    Intervention iv = InterventionEvents.onTable(e, GRAPH, minutes(720));
    assertEquals(481, iv.start());
    assertEquals(540, iv.end());
    assertEquals(List.of(), iv.outcomes());
  }

  @Test
  void tablePlacementErrors() {
    InterventionEvent e = InterventionEvents.parse(EVENT, "test");
    String m =
        assertThrows(InputException.class, () -> InterventionEvents.onTable(e, GRAPH, minutes(100)))
            .getMessage();
    assertTrue(m.contains("after the last row (2026-01-01T01:39:00Z)"), m);
    TimeSeriesTable noTimes = new TimeSeriesTable(List.of("ad_spend", "visits", "signups"),
        new double[3][5], null);
    m = assertThrows(InputException.class, () -> InterventionEvents.onTable(e, GRAPH, noTimes))
        .getMessage();
    assertTrue(m.contains("name the column of times with --time-column"), m);
    InterventionEvent unknown =
        InterventionEvents.parse(
            "{\"id\": \"c\", \"timestamp\": 0, \"do\": {\"price\": {\"set\": 1}}}", "test");
    m = assertThrows(InputException.class, () -> InterventionEvents.onTable(unknown, GRAPH,
        minutes(10))).getMessage();
    assertTrue(m.contains("intervenes on 'price', which is not a node"), m);
    assertTrue(m.contains("(nodes: ad_spend, visits, signups)"), m);
  }

  @Test
  void placedOnAGrid() {
    InterventionEvent e = InterventionEvents.parse(EVENT, "test");
    Intervention iv =
        InterventionEvents.onGrid(
            e, GRAPH, Instant.parse("2026-01-01T00:00:00Z"), Duration.ofMinutes(1), 720);
    assertEquals(480, iv.start());
    assertEquals(-1, iv.end());
    String m =
        assertThrows(
                InputException.class,
                () ->
                    InterventionEvents.onGrid(
                        e, GRAPH, Instant.parse("2026-01-01T00:00:00Z"), Duration.ofMinutes(1),
                        100))
            .getMessage();
    assertTrue(m.contains("outside the simulated"), m);
  }

  @Test
  void timeLabels() {
    assertEquals(Instant.parse("2014-01-01T00:00:00Z"), TimeLabels.parse("2014-01-01").get());
    assertEquals(Instant.parse("2016-02-20T22:41:20Z"),
        TimeLabels.parse("2016-02-20 22:41:20").get());
    assertEquals(Instant.parse("2016-02-20T20:41:20Z"),
        TimeLabels.parse("2016-02-20T22:41:20+02:00").get());
    assertEquals(Instant.parse("1970-01-01T00:00:00Z"), TimeLabels.parse("1970").get());
    assertTrue(TimeLabels.parse("abc").isEmpty());
    assertTrue(TimeLabels.parse("12").isEmpty());
    assertEquals(Instant.ofEpochMilli(1767254400000L),
        TimeLabels.parseTimestamp("1767254400000").get());
  }
}
