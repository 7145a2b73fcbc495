package org.causalimpact.monitor.live;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.ingest.Input;
import org.causalimpact.monitor.ingest.Source;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.state.InterventionIndex;
import org.causalimpact.monitor.state.StateSerdes;
import org.causalimpact.monitor.state.TrackedIntervention;
import org.junit.jupiter.api.Test;

/**
 * The inputs on the repartition topic and the stored interventions: what each writes, and that
 * records written by earlier builds (as they wrote them, byte for byte) are still read.
 */
class InputSerdeTest {
  /** A start event as the repartition topic held it before inputs became a sealed type. */
  private static final String START_V1 =
      "{\"kind\":\"start\",\"node\":null,\"timestamp\":5,\"value\":0.0,\"id\":\"c\","
          + "\"actions\":{\"x\":{\"shift\":2.0}},\"outcomes\":[\"y\"],\"source\":{\"topic\":"
          + "\"interventions\",\"partition\":0,\"offset\":3,\"key\":\"AQ==\",\"value\":\"Ag==\"}}";

  private static final String END_V1 =
      "{\"kind\":\"end\",\"node\":null,\"timestamp\":7,\"value\":0.0,\"id\":\"c\","
          + "\"actions\":null,\"outcomes\":null,\"source\":{\"topic\":\"interventions\","
          + "\"partition\":0,\"offset\":4,\"key\":null,\"value\":\"Aw==\"}}";

  /** The interventions store's value as written before do-specs were stored as such. */
  private static final String INTERVENTIONS_V1 =
      "{\"interventions\":{\"c\":{\"id\":\"c\",\"startStep\":3,\"endStep\":null,"
          + "\"reportEndStep\":null,\"summarized\":false,\"actions\":{\"x\":{\"set\":1.0}},"
          + "\"outcomes\":[\"y\"],\"emittedThrough\":-9223372036854775808,\"source\":{\"topic\":"
          + "\"interventions\",\"partition\":0,\"offset\":3,\"key\":null,\"value\":\"Ag==\"}}},"
          + "\"ended\":{}}";

  private static byte[] event(String json) {
    byte[] text = json.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(2 + 4 + text.length)
        .put((byte) 1)
        .put((byte) 'J')
        .putInt(text.length)
        .put(text)
        .array();
  }

  @Test
  void aPointRoundTripsInBinary() {
    byte[] raw = "{\"series\":\"é\"}".getBytes(StandardCharsets.UTF_8);
    Input.Point p = new Input.Point("é", 123, -4.5, new Source("metrics", 1, 99, null, raw));
    byte[] bytes = InputSerde.SERDE.serializer().serialize("t", p);
    assertEquals('P', bytes[1]);
    Input.Point back =
        assertInstanceOf(
            Input.Point.class, InputSerde.SERDE.deserializer().deserialize("t", bytes));
    assertEquals(p.node(), back.node());
    assertEquals(123, back.timestamp());
    assertEquals(-4.5, back.value());
    assertEquals("metrics", back.source().topic());
    assertEquals(1, back.source().partition());
    assertEquals(99, back.source().offset());
    assertNull(back.source().key());
    assertArrayEquals(raw, back.source().value());
  }

  @Test
  void eventsAreWrittenAsVersionOneAlwaysWroteThem() {
    Input.Start start =
        new Input.Start(
            "c", 5, Map.of("x", new DoSpec.Shift(2.0)), List.of("y"),
            new Source("interventions", 0, 3, new byte[] {1}, new byte[] {2}));
    assertArrayEquals(event(START_V1), InputSerde.SERDE.serializer().serialize("t", start));
    Input.End end = new Input.End("c", 7, new Source("interventions", 0, 4, null, new byte[] {3}));
    assertArrayEquals(event(END_V1), InputSerde.SERDE.serializer().serialize("t", end));
  }

  @Test
  void eventsOfVersionOneAreRead() {
    Input.Start s =
        assertInstanceOf(
            Input.Start.class, InputSerde.SERDE.deserializer().deserialize("t", event(START_V1)));
    assertEquals("c", s.id());
    assertEquals(5, s.timestamp());
    assertEquals(Map.of("x", new DoSpec.Shift(2.0)), s.actions());
    assertEquals(List.of("y"), s.outcomes());
    assertArrayEquals(new byte[] {1}, s.source().key());
    Input.End e =
        assertInstanceOf(
            Input.End.class, InputSerde.SERDE.deserializer().deserialize("t", event(END_V1)));
    assertEquals("c", e.id());
    assertEquals(7, e.timestamp());
  }

  @Test
  void storedInterventionsOfVersionOneAreStillRead() {
    byte[] stored = INTERVENTIONS_V1.getBytes(StandardCharsets.UTF_8);
    InterventionIndex read = StateSerdes.INTERVENTIONS.deserializer().deserialize("t", stored);
    assertEquals(List.of("c"), read.running);
    TrackedIntervention iv = read.upgraded.get("c");
    assertEquals(Map.of("x", new DoSpec.Set(1.0)), iv.actions);
    assertEquals(TrackedIntervention.NONE, iv.emittedThrough);
    assertArrayEquals(new byte[] {2}, iv.source.value());
    iv.actions.put("z", new DoSpec.Observed());
    TrackedIntervention again =
        StateSerdes.INTERVENTION.deserializer()
            .deserialize("t", StateSerdes.INTERVENTION.serializer().serialize("t", iv));
    assertEquals(new DoSpec.Observed(), again.actions.get("z"));
  }

}
