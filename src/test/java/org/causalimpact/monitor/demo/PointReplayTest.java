package org.causalimpact.monitor.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.io.InterventionEvents;
import org.causalimpact.monitor.live.TopologySettings;
import org.junit.jupiter.api.Test;

/** What the simulator sends, in which order, with which timestamps (no broker: MockProducer). */
class PointReplayTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static PointSimulation demo(int rows) {
    MonitorDefinition def = MonitorLoader.load(Path.of("config/monitors/demo.yaml"));
    return PointSimulation.of(
        def,
        InterventionEvents.read("config/interventions/demo-campaign.json"),
        rows,
        7,
        T0,
        Duration.ofSeconds(30));
  }

  private static MockProducer<String, String> mock() {
    return new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
  }

  @Test
  void pointsThenStartAtItsRowThenEndThenTheTail() throws Exception {
    PointSimulation sim = demo(490);
    assertEquals(3, sim.tail(), "ceil(30 s / 1 min) + 2");
    MockProducer<String, String> mock = mock();
    PointReplay.Result r;
    try (PointProducer out = PointProducer.wrap(mock, TopologySettings.defaults())) {
      r = sim.replay().run(out, 0, null, () -> false, new PointReplay.Listener() {});
    }
    assertEquals(new PointReplay.Result(493, 480, 490, false), r);
    List<ProducerRecord<String, String>> sent = mock.history();
    assertEquals(493 * 5 + 2, sent.size());
    // row 480's points come right after the start event, row 490's right after the end event
    ProducerRecord<String, String> start = sent.get(480 * 5);
    assertEquals("interventions", start.topic());
    assertEquals("demo", start.key());
    assertEquals(Instant.parse("2026-01-01T08:00:00Z").toEpochMilli(), start.timestamp());
    JsonNode s = JSON.readTree(start.value());
    assertEquals("start", s.get("action").asText());
    assertEquals("demo-campaign", s.get("id").asText());
    ProducerRecord<String, String> end = sent.get(490 * 5 + 1);
    JsonNode e = JSON.readTree(end.value());
    assertEquals("end", e.get("action").asText());
    assertEquals("2026-01-01T08:10:00Z", e.get("timestamp").asText());
    assertEquals(Instant.parse("2026-01-01T08:10:00Z").toEpochMilli(), end.timestamp());

    ProducerRecord<String, String> p = sent.get(5 * 7 + 3);
    JsonNode point = JSON.readTree(p.value());
    assertEquals("metrics", p.topic());
    assertEquals(p.key(), point.get("series").asText());
    assertEquals("signups", p.key());
    assertEquals("2026-01-01T00:07:00Z", point.get("timestamp").asText());
    assertEquals(T0.plusSeconds(7 * 60).toEpochMilli(), p.timestamp());
    assertEquals(sim.data().table().column("signups")[7], point.get("value").asDouble(), 0);
  }

  @Test
  void outOfWallTimeEndsThePostPeriodEarlyAndSendsTheTail() throws Exception {
    PointSimulation sim = demo(600);
    MockProducer<String, String> mock = mock();
    PointReplay.Result r;
    try (PointProducer out = PointProducer.wrap(mock, TopologySettings.defaults())) {
      // 1000 rows per second for 0.5 s: the time runs out near row 500
      r = sim.replay().run(out, 1000, Duration.ofMillis(500), () -> false,
          new PointReplay.Listener() {});
    }
    assertEquals(480, r.startRow());
    assertTrue(r.endRow() > 480 && r.endRow() < 600, r.toString());
    assertEquals(r.endRow() + 3, r.rows(), "three rows follow the end");
    assertTrue(sim.trueAverageEffect("signups", 480, r.endRow()) > 0);
  }

  @Test
  void stopEndsAtOnceWithoutEvents() throws Exception {
    PointSimulation sim = demo(600);
    MockProducer<String, String> mock = mock();
    int[] rows = {0};
    PointReplay.Result r;
    try (PointProducer out = PointProducer.wrap(mock, TopologySettings.defaults())) {
      r = sim.replay().run(out, 0, null, () -> rows[0] >= 100, new PointReplay.Listener() {
        @Override
        public void row(int row, Instant time) {
          rows[0] = row + 1;
        }
      });
    }
    assertEquals(new PointReplay.Result(100, -1, -1, true), r);
    assertEquals(500, mock.history().size());
  }

  @Test
  void speedPacesTheRows() throws Exception {
    PointSimulation sim = demo(600);
    long t0 = System.nanoTime();
    try (PointProducer out = PointProducer.wrap(mock(), TopologySettings.defaults())) {
      int[] n = {0};
      sim.replay().run(out, 200, null, () -> n[0] >= 60, new PointReplay.Listener() {
        @Override
        public void row(int row, Instant time) {
          n[0] = row + 1;
        }
      });
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(seconds >= 0.29, "60 rows at 200 per second take 0.3 s, took " + seconds);
  }

  @Test
  void theCampaignHasItsOwnPaceAndThePreviousRowsGoByFast() throws Exception {
    PointSimulation sim = demo(490);
    long[] at = new long[2];
    long t0 = System.nanoTime();
    PointReplay.Result r;
    try (PointProducer out = PointProducer.wrap(mock(), TopologySettings.defaults())) {
      r = sim.replay().run(out, 0, 10, null, () -> false, new PointReplay.Listener() {
        @Override
        public void row(int row, Instant time) {
          if (row == 479) {
            at[0] = System.nanoTime(); // the last row before the campaign was sent
          }
        }

        @Override
        public void ended(int row, Instant time) {
          at[1] = System.nanoTime();
        }
      });
    }
    double end = (System.nanoTime() - t0) / 1e9;
    double campaign = (at[1] - at[0]) / 1e9;
    assertEquals(new PointReplay.Result(493, 480, 490, false), r);
    assertTrue(campaign >= 0.99, "10 campaign rows at 10 per second take 1 s, took " + campaign);
    assertTrue(
        end - campaign < 0.9,
        "480 rows before and 3 after the campaign go as fast as they can; they took "
            + (end - campaign) + " s");
  }
}
