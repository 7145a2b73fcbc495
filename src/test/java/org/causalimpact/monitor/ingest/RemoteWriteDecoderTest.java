package org.causalimpact.monitor.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.testing.RemoteWritePayloads;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.SnappyFramedOutputStream;

/** Remote-write 1.0 bodies built with protobuf and snappy, read back; bad bodies refused. */
class RemoteWriteDecoderTest {
  private static final int MAX = RemoteWriteReceiver.MAX_INFLATED_BYTES;

  @Test
  void readsSeriesLabelsAndSamplesAndSkipsMetadataAndExemplars() throws Exception {
    byte[] body =
        new RemoteWritePayloads()
            .series(
                Map.of("__name__", "shop_visits", "job", "shop", "page", "home"),
                new double[] {42.0, -0.5},
                new long[] {1_700_000_000_000L, 1_700_000_001_000L})
            .metadata("shop_visits")
            .series(Map.of("__name__", "up", "job", "shop"), new double[] {1}, new long[] {7L})
            .body();
    List<RemoteWriteDecoder.Series> series = RemoteWriteDecoder.decode(body, MAX);
    assertEquals(2, series.size());
    assertEquals(
        Map.of("__name__", "shop_visits", "job", "shop", "page", "home"), series.get(0).labels());
    assertEquals(
        List.of(
            new RemoteWriteDecoder.Sample(42.0, 1_700_000_000_000L),
            new RemoteWriteDecoder.Sample(-0.5, 1_700_000_001_000L)),
        series.get(0).samples());
    assertEquals(List.of(new RemoteWriteDecoder.Sample(1, 7L)), series.get(1).samples());
  }

  @Test
  void aMetadataOnlyRequestHasNoSeries() throws Exception {
    assertEquals(
        List.of(),
        RemoteWriteDecoder.decode(new RemoteWritePayloads().metadata("up").body(), MAX));
  }

  @Test
  void keepsTheBitsOfNaNValues() throws Exception {
    double stale = Double.longBitsToDouble(RemoteWriteRouter.STALE_NAN_BITS);
    byte[] body =
        new RemoteWritePayloads()
            .series(Map.of("__name__", "x"), new double[] {stale}, new long[] {1})
            .body();
    double read = RemoteWriteDecoder.decode(body, MAX).get(0).samples().get(0).value();
    assertEquals(RemoteWriteRouter.STALE_NAN_BITS, Double.doubleToRawLongBits(read));
  }

  @Test
  void refusesWhatIsNotSnappyBlockData() throws Exception {
    byte[] proto =
        new RemoteWritePayloads()
            .series(Map.of("__name__", "x"), new double[] {1}, new long[] {1})
            .protobuf();
    ByteArrayOutputStream framed = new ByteArrayOutputStream();
    try (SnappyFramedOutputStream out = new SnappyFramedOutputStream(framed)) {
      out.write(proto);
    }
    for (byte[] body :
        List.of(
            new byte[0],
            "not snappy at all, just text".getBytes(StandardCharsets.UTF_8),
            framed.toByteArray(),
            Arrays.copyOf(RemoteWritePayloads.snappy(proto), 5))) {
      RemoteWriteDecoder.BadPayload e =
          assertThrows(RemoteWriteDecoder.BadPayload.class, () -> RemoteWriteDecoder.decode(body, MAX));
      assertFalse(e.tooLarge());
      assertTrue(
          e.getMessage().contains("snappy") || e.getMessage().contains("empty"), e.getMessage());
    }
  }

  @Test
  void refusesSnappyDataThatIsNotAWriteRequest() {
    byte[] truncated =
        Arrays.copyOf(
            new RemoteWritePayloads()
                .series(Map.of("__name__", "x", "a", "b"), new double[] {1}, new long[] {1})
                .protobuf(),
            12);
    byte[] invalidUtf8 = {0x0a, 0x06, 0x0a, 0x04, 0x0a, 0x02, (byte) 0xc3, 0x28};
    for (byte[] proto : List.of(truncated, invalidUtf8, new byte[] {(byte) 0xff, (byte) 0xff})) {
      RemoteWriteDecoder.BadPayload e =
          assertThrows(
              RemoteWriteDecoder.BadPayload.class,
              () -> RemoteWriteDecoder.decode(RemoteWritePayloads.snappy(proto), MAX));
      assertFalse(e.tooLarge());
      assertTrue(e.getMessage().contains("not a protobuf WriteRequest"), e.getMessage());
    }
  }

  @Test
  void refusesALabelGivenTwice() {
    // series { labels {name: "a", value: "1"} labels {name: "a", value: "2"} }
    byte[] label1 = {0x0a, 0x01, 'a', 0x12, 0x01, '1'};
    byte[] label2 = {0x0a, 0x01, 'a', 0x12, 0x01, '2'};
    ByteArrayOutputStream series = new ByteArrayOutputStream();
    for (byte[] l : List.of(label1, label2)) {
      series.write(0x0a);
      series.write(l.length);
      series.writeBytes(l);
    }
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.write(0x0a);
    request.write(series.size());
    request.writeBytes(series.toByteArray());
    RemoteWriteDecoder.BadPayload e =
        assertThrows(
            RemoteWriteDecoder.BadPayload.class,
            () -> RemoteWriteDecoder.decode(RemoteWritePayloads.snappy(request.toByteArray()), MAX));
    assertTrue(e.getMessage().contains("label 'a' twice"), e.getMessage());
  }

  @Test
  void refusesABodyThatInflatesBeyondTheLimitBeforeInflatingIt() throws Exception {
    byte[] body = RemoteWritePayloads.snappy(new byte[1000]);
    assertEquals(0, RemoteWriteDecoder.decode(RemoteWritePayloads.snappy(new byte[0]), 10).size());
    RemoteWriteDecoder.BadPayload e =
        assertThrows(RemoteWriteDecoder.BadPayload.class, () -> RemoteWriteDecoder.decode(body, 999));
    assertTrue(e.tooLarge());
    assertTrue(e.getMessage().contains("1000 bytes"), e.getMessage());
  }
}
