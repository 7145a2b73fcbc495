package org.causalimpact.monitor.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/** The binary state and repartition formats: exact round trips, and a foreign version refused. */
class StateSerdesTest {
  private static <T> T roundTrip(Serde<T> serde, T value) {
    byte[] bytes = serde.serializer().serialize("t", value);
    return serde.deserializer().deserialize("t", bytes);
  }

  @Test
  void gridStateKeepsClockLastValuesAndEveryOpenCell() {
    GridState g = new GridState(3);
    g.lastClosedStep = 41;
    g.maxEventTime = 2_000_123;
    g.lastValues[0] = 1.5;
    g.lastValues[2] = -0.0;
    GridState.Cell c = g.cell(42, 2);
    c.sum = 7.25;
    c.count = 3;
    c.last = 2.0;
    c.lastTime = 2_000_100;
    g.cell(43, 0).sum = 1e-300;
    GridState back = roundTrip(StateSerdes.GRID, g);
    assertEquals(41, back.lastClosedStep);
    assertEquals(2_000_123, back.maxEventTime);
    assertArrayEquals(g.lastValues, back.lastValues); // NaN and -0.0 kept bit for bit
    assertEquals(List.of(42L, 43L), List.copyOf(back.open.keySet()));
    assertNull(back.open.get(42L)[0]);
    GridState.Cell cb = back.open.get(42L)[2];
    assertEquals(7.25, cb.sum);
    assertEquals(3, cb.count);
    assertEquals(2.0, cb.last);
    assertEquals(2_000_100, cb.lastTime);
    assertEquals(1e-300, back.open.get(43L)[0].sum);
    assertEquals(g.openPoints(), back.openPoints());
  }

  @Test
  void rowKeysArePaddedToNineteenDigitsSoTheySortByStep() {
    assertEquals("m/0000000000000000007", RowChunk.key("m", 7));
    assertEquals("m/" + Long.MAX_VALUE, RowChunk.key("m", Long.MAX_VALUE));
    assertTrue(RowChunk.key("m", 99).compareTo(RowChunk.key("m", 100)) < 0);
    assertThrows(IllegalArgumentException.class, () -> RowChunk.key("m", -1));
  }

  @Test
  void aChunkKeepsItsRowsWithTheirHealthAndRefusesASingleStoredRow() {
    RowChunk chunk = new RowChunk(2);
    GridRow first = new GridRow(32, new double[] {1.0, Double.NaN}, new boolean[] {false, true});
    GridRow last =
        new GridRow(47, new double[] {3.0, 4.0}, new boolean[] {false, false})
            .withHealth(new double[] {0.5, Double.NaN}, new byte[] {0, -1});
    chunk.put(last);
    chunk.put(first);
    RowChunk back = roundTrip(StateSerdes.CHUNK, chunk);
    assertEquals(2, back.index);
    assertEquals(List.of(32L, 47L), back.rows().stream().map(GridRow::step).toList());
    assertArrayEquals(first.values(), back.get(32).values());
    assertArrayEquals(first.imputed(), back.get(32).imputed());
    assertNull(back.get(32).errors());
    assertArrayEquals(last.errors(), back.get(47).errors());
    assertArrayEquals(last.hits(), back.get(47).hits());
    assertNull(back.get(33));
    assertNull(back.get(48), "not this chunk's step");
    assertThrows(IllegalArgumentException.class, () -> chunk.put(new GridRow(48, new double[2],
        new boolean[2])));
    assertEquals(0, roundTrip(StateSerdes.CHUNK, new RowChunk(0)).rows().size());
    // a store written by a build that kept one row per key
    byte[] single = StateSerdes.ROW.serializer().serialize("t", first);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> StateSerdes.CHUNK.deserializer().deserialize("t", single));
    assertTrue(e.getMessage().contains("reset"), e.getMessage());
  }

  /**
   * A chunk keeps its rows' bytes between writes: a chunk written again after rows were added and
   * one replaced must be byte for byte a chunk that was never written before.
   */
  @Test
  void aChunkWrittenAgainAfterChangesIsTheChunkWrittenFresh() {
    RowChunk kept = new RowChunk(1);
    RowChunk fresh = new RowChunk(1);
    var ser = StateSerdes.CHUNK.serializer();
    for (int s = 16; s < 32; s++) {
      GridRow r = new GridRow(s, new double[] {s, -s}, new boolean[] {false, s % 3 == 0});
      kept.put(r);
      ser.serialize("t", kept);
      if (s % 5 == 0) {
        // model health's errors replace a row already written
        r = r.withHealth(new double[] {0.25 * s, Double.NaN}, new byte[] {1, -1});
        kept.put(r);
      }
      fresh.put(r);
      assertArrayEquals(freshBytes(fresh), ser.serialize("t", kept), "after step " + s);
    }
    assertArrayEquals(new double[] {5.0, Double.NaN},
        roundTrip(StateSerdes.CHUNK, kept).get(20).errors());
  }

  /** The bytes of a copy of the chunk, a chunk never written before. */
  private static byte[] freshBytes(RowChunk c) {
    RowChunk copy = new RowChunk(c.index);
    c.rows().forEach(copy::put);
    return StateSerdes.CHUNK.serializer().serialize("t", copy);
  }

  @Test
  void healthStateKeepsItsFourSteps() {
    HealthState h = new HealthState();
    h.base = 10;
    h.lastAdded = 500;
    h.rebuiltAt = 480;
    h.solvedAt = 499;
    byte[] bytes = StateSerdes.HEALTH.serializer().serialize("t", h);
    assertEquals(33, bytes.length);
    HealthState back = roundTrip(StateSerdes.HEALTH, h);
    assertTrue(back.sameAs(h), back.toString());
    assertEquals(GridState.NONE, roundTrip(StateSerdes.HEALTH, new HealthState()).rebuiltAt);
  }

  @Test
  void rowsAndPointsRoundTripAndEventsStayReadable() {
    GridRow row = new GridRow(7, new double[] {1.0, Double.NaN}, new boolean[] {false, true});
    GridRow r = roundTrip(StateSerdes.ROW, row);
    assertEquals(7, r.step());
    assertArrayEquals(row.values(), r.values());
    assertArrayEquals(row.imputed(), r.imputed());
    assertNull(r.errors());
    assertNull(r.hits());
    GridRow checked = row.withHealth(new double[] {0.25, Double.NaN}, new byte[] {1, -1});
    GridRow c = roundTrip(StateSerdes.ROW, checked);
    assertArrayEquals(checked.values(), c.values());
    assertArrayEquals(checked.errors(), c.errors());
    assertArrayEquals(checked.hits(), c.hits());
  }

  /**
   * The interventions as one record held them before each had its own key: a running one with
   * its start event, an ended one, and one whose analysis failed (no end step then).
   */
  private static final String INTERVENTIONS_V1 =
      "{\"interventions\":{\"c\":{\"id\":\"c\",\"startStep\":30,\"endStep\":null,"
          + "\"reportEndStep\":null,\"summarized\":false,\"actions\":{\"x\":{\"set\":1.0}},"
          + "\"outcomes\":[\"y\"],\"emittedThrough\":31,\"source\":{\"topic\":"
          + "\"interventions\",\"partition\":0,\"offset\":3,\"key\":null,\"value\":\"Ag==\"}}},"
          + "\"ended\":{\"a\":{\"id\":\"a\",\"startStep\":10,\"endStep\":12,"
          + "\"reportEndStep\":12,\"summarized\":true,\"actions\":{\"x\":{\"shift\":2.0}},"
          + "\"outcomes\":[],\"emittedThrough\":11,\"source\":{\"topic\":\"interventions\","
          + "\"partition\":0,\"offset\":1,\"key\":null,\"value\":\"AQ==\"}},"
          + "\"f\":{\"id\":\"f\",\"startStep\":20,\"endStep\":null,\"reportEndStep\":null,"
          + "\"summarized\":false,\"actions\":{\"x\":{\"set\":0.0}},\"outcomes\":[],"
          + "\"emittedThrough\":22,\"source\":{\"topic\":\"interventions\",\"partition\":0,"
          + "\"offset\":2,\"key\":null,\"value\":\"Aw==\"}}}}";

  @Test
  void interventionsOfVersionOneAreReadAndWrittenBackOneRecordEach() {
    InterventionIndex v1 =
        StateSerdes.INTERVENTIONS.deserializer()
            .deserialize("t", INTERVENTIONS_V1.getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("c"), v1.running);
    assertEquals(Map.of("a", 12L, "f", 23L), v1.ended, "f failed after reporting 20..22");
    assertEquals(TrackedIntervention.Ending.ENDED, v1.upgraded.get("a").ending);
    assertEquals(TrackedIntervention.Ending.FAILED, v1.upgraded.get("f").ending);
    assertNull(v1.upgraded.get("a").source, "an ended one keeps no event bytes");
    assertArrayEquals(new byte[] {2}, v1.upgraded.get("c").source.value());

    Interventions st = new Interventions(v1, Map.of("c", v1.upgraded.get("c")));
    assertEquals(List.of("c"), st.running().stream().map(iv -> iv.id).toList());
    assertEquals(v1.upgraded.keySet(), st.unsaved().keySet(), "every record gets its own key");
    InterventionIndex index = st.index();
    byte[] bytes = StateSerdes.INTERVENTIONS.serializer().serialize("t", index);
    assertEquals(
        "{\"version\":2,\"running\":[\"c\"],\"ended\":{\"a\":12,\"f\":23}}",
        new String(bytes, StandardCharsets.UTF_8));
    InterventionIndex back = StateSerdes.INTERVENTIONS.deserializer().deserialize("t", bytes);
    assertEquals(index.running, back.running);
    assertEquals(index.ended, back.ended);
    assertTrue(back.upgraded.isEmpty());
    TrackedIntervention c =
        roundTrip(StateSerdes.INTERVENTION, st.unsaved().get("c"));
    assertEquals(Map.of("x", new org.causalimpact.monitor.scm.DoSpec.Set(1.0)), c.actions);
    assertEquals(31, c.emittedThrough);
  }

  @Test
  void interventionsOfALaterVersionAreRefusedWithWhatToDo() {
    byte[] v3 = "{\"version\":3,\"running\":[]}".getBytes(StandardCharsets.UTF_8);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> StateSerdes.INTERVENTIONS.deserializer().deserialize("t", v3));
    assertTrue(e.getMessage().contains("format version 3"), e.getMessage());
    assertTrue(e.getMessage().contains("reset"), e.getMessage());
  }

  @Test
  void aValueOfAnotherFormatVersionIsRefusedWithWhatToDo() {
    byte[] bytes = StateSerdes.GRID.serializer().serialize("t", new GridState(1));
    bytes[0] = 9;
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> StateSerdes.GRID.deserializer().deserialize("t", bytes));
    assertTrue(e.getMessage().contains("format version 9"), e.getMessage());
    assertTrue(e.getMessage().contains("reset"), e.getMessage());
  }
}
