package org.causalimpact.monitor.live;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.ingest.Input;
import org.causalimpact.monitor.ingest.Source;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.state.InterventionIndex;
import org.causalimpact.monitor.state.StateSerdes;
import org.causalimpact.monitor.state.TrackedIntervention;
import org.causalimpact.monitor.wire.Json;
import org.junit.jupiter.api.Test;

/**
 * The inputs on the repartition topic and the stored interventions: what each writes, that records
 * written by earlier builds (as they wrote them, byte for byte) are still read, and that the
 * original bytes they carry are bounded.
 */
class InputSerdeTest {
  /** A start event as version 1 of the repartition topic held it (JSON, bytes in base64). */
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
    Input.Point back = roundTrip(p, 'P', Input.Point.class);
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
  void eventsRoundTripInBinaryWithTheSourceBytesAsTheyAre() {
    Input.Start start =
        new Input.Start(
            "c", 5, doSpecs(), List.of("y", "z"),
            new Source("interventions", 0, 3, new byte[] {1}, new byte[] {2}));
    Input.Start s = roundTrip(start, 'S', Input.Start.class);
    assertEquals("c", s.id());
    assertEquals(5, s.timestamp());
    assertEquals(List.copyOf(doSpecs().entrySet()), List.copyOf(s.actions().entrySet()));
    assertEquals(List.of("y", "z"), s.outcomes());
    assertArrayEquals(new byte[] {1}, s.source().key());
    assertArrayEquals(new byte[] {2}, s.source().value());
    assertEquals(3, s.source().offset());

    Input.End end = new Input.End("c", 7, new Source("interventions", 1, 4, null, new byte[] {3}));
    Input.End e = roundTrip(end, 'E', Input.End.class);
    assertEquals("c", e.id());
    assertEquals(7, e.timestamp());
    assertNull(e.source().key());
    assertArrayEquals(new byte[] {3}, e.source().value());
    assertEquals(1, e.source().partition());
  }

  /** Version 1 wrote a padded 800 KB start as a 1 MiB record (base64); now it is a few KiB. */
  @Test
  void aHugeEventBecomesASmallRecordThatKeepsTheOriginalSizeAndDigest() throws Exception {
    byte[] raw = new byte[800_000];
    Arrays.fill(raw, (byte) ' ');
    raw[0] = '{';
    raw[raw.length - 1] = '}';
    byte[] key = new byte[5000];
    Arrays.fill(key, (byte) 'k');
    Input.Start start =
        new Input.Start(
            "c", 5, doSpecs(), List.of(), new Source("interventions", 0, 9, key, raw));
    byte[] bytes = InputSerde.SERDE.serializer().serialize("t", start);
    assertTrue(
        bytes.length < Source.MAX_VALUE_BYTES + Source.MAX_KEY_BYTES + 200,
        "record of " + bytes.length + " bytes");
    Source back = InputSerde.SERDE.deserializer().deserialize("t", bytes).source();
    assertArrayEquals(Arrays.copyOf(raw, Source.MAX_VALUE_BYTES), back.value());
    assertArrayEquals(Arrays.copyOf(key, Source.MAX_KEY_BYTES), back.key());
    assertEquals(800_000, back.valueSize());
    assertEquals(5000, back.keySize());
    assertTrue(back.valueTruncated());
    assertTrue(back.keyTruncated());
    assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(raw), back.valueSha256());
  }

  @Test
  void pointsOfVersionOneAreRead() {
    byte[] raw = {'{', '}'};
    byte[] node = "x".getBytes(StandardCharsets.UTF_8);
    byte[] topic = "metrics".getBytes(StandardCharsets.UTF_8);
    byte[] v1 =
        ByteBuffer.allocate(2 + 4 + node.length + 16 + 4 + topic.length + 12 + 4 + 4 + raw.length)
            .put((byte) 1)
            .put((byte) 'P')
            .putInt(node.length)
            .put(node)
            .putLong(11)
            .putDouble(2.5)
            .putInt(topic.length)
            .put(topic)
            .putInt(1)
            .putLong(99)
            .putInt(-1)
            .putInt(raw.length)
            .put(raw)
            .array();
    Input.Point p =
        assertInstanceOf(
            Input.Point.class, InputSerde.SERDE.deserializer().deserialize("t", v1));
    assertEquals("x", p.node());
    assertEquals(11, p.timestamp());
    assertEquals(2.5, p.value());
    assertEquals(99, p.source().offset());
    assertNull(p.source().key());
    assertArrayEquals(raw, p.source().value());
    assertFalse(p.source().valueTruncated());
  }

  /** {@code in} written (version 2, kind byte {@code kind}) and read back. */
  private static <T extends Input> T roundTrip(Input in, char kind, Class<T> type) {
    byte[] bytes = InputSerde.SERDE.serializer().serialize("t", in);
    assertEquals(2, bytes[0], "version");
    assertEquals(kind, bytes[1]);
    return assertInstanceOf(type, InputSerde.SERDE.deserializer().deserialize("t", bytes));
  }

  private static Map<String, DoSpec> doSpecs() {
    Map<String, DoSpec> m = new LinkedHashMap<>();
    m.put("x", new DoSpec.Shift(2.0));
    m.put("w", new DoSpec.Set(-1.5));
    m.put("v", new DoSpec.Scale(1.25));
    m.put("u", new DoSpec.Observed());
    return m;
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

  /**
   * A stored intervention's source: an ordinary one is written as before, a cut one keeps its
   * sizes and digest, and one stored whole by an older build is cut when read.
   */
  @Test
  void storedSourcesAreBoundedAndKeepWhatWasCut() throws Exception {
    byte[] raw = new byte[10_000];
    Arrays.fill(raw, (byte) 'v');
    Source cut = new Source("interventions", 0, 3, null, raw);
    Source back = Json.MAPPER.readValue(Json.MAPPER.writeValueAsBytes(cut), Source.class);
    assertEquals(10_000, back.valueSize());
    assertArrayEquals(cut.value(), back.value());
    assertArrayEquals(cut.valueSha256(), back.valueSha256());

    String old =
        "{\"topic\":\"interventions\",\"partition\":0,\"offset\":3,\"key\":null,\"value\":\""
            + Base64.getEncoder().encodeToString(raw) + "\"}";
    Source read = Json.MAPPER.readValue(old, Source.class);
    assertEquals(Source.MAX_VALUE_BYTES, read.value().length);
    assertEquals(10_000, read.valueSize());
    assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(raw), read.valueSha256());
    assertEquals(-1, read.keySize());
  }
}
