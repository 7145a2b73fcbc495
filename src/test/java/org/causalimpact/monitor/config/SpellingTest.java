package org.causalimpact.monitor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Optimal string alignment distance on known answers, and the nearest name it picks. */
class SpellingTest {
  @Test
  void distanceKnownAnswers() {
    assertEquals(3, Spelling.distance("kitten", "sitting"));
    assertEquals(0, Spelling.distance("", ""));
    assertEquals(5, Spelling.distance("", "grace"));
    assertEquals(1, Spelling.distance("garce", "grace"), "one transposition");
    // OSA, not full Damerau: "ca" -> "abc" needs 3 (Damerau-Levenshtein gives 2)
    assertEquals(3, Spelling.distance("ca", "abc"));
  }

  @Test
  void nearestIgnoresCaseAndRespectsTheLimit() {
    List<String> keys = List.of("monitor.grace", "monitor.max.post.rows", "monitor.topic.impact");
    assertEquals("monitor.max.post.rows", Spelling.nearest("monitor.max.post.row", keys, 2));
    assertEquals("monitor.grace", Spelling.nearest("MONITOR.GARCE", keys, 1));
    assertNull(Spelling.nearest("monitor.http.port", keys, 2));
    assertEquals("monitor.grace", Spelling.nearest("x", List.of("monitor.grace"), 100));
  }
}
