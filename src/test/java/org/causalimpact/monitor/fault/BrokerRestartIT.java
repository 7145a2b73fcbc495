package org.causalimpact.monitor.fault;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.causalimpact.monitor.app.AppSettings;
import org.causalimpact.monitor.app.StreamsRunner;
import org.causalimpact.monitor.live.MonitorTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker is stopped in the middle of a campaign while the monitor's Kafka Streams
 * instance runs ({@code exactly_once_v2}) and the test's producer keeps sending, then started
 * again on the same ports and log directories ({@link
 * org.causalimpact.monitor.stream.EmbeddedKafka#restart()}). Processing resumes by itself; no point
 * is lost (the accounting invariant) and no impact record is committed twice; every record equals
 * the batch analysis. Times and counts go to stderr.
 */
class BrokerRestartIT {
  /** The last row sent before the broker stops. */
  private static final int STOP_AFTER = 410;

  /** The last row sent while it is down. */
  private static final int SENT_WHILE_DOWN = 414;

  /**
   * How long the broker stays down: the fault itself, long enough for every client to lose its
   * connections and retry (reconnect backoff up to 1 s, request timeout 5 s of the test producer);
   * not a wait for anything.
   */
  private static final Duration OUTAGE = Duration.ofSeconds(6);

  @TempDir Path dir;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void brokerRestartMidCampaignLosesAndRepeatsNothing() throws Exception {
    try (Stage stage = Stage.open(dir, 1, 1)) {
      Fleet fleet = stage.fleet();
      Map<String, Audit.Stored> stored;
      double resumed;
      try (StreamsRunner streams =
          StreamsRunner.start(
              MonitorTopology.build(fleet.definitions(), Fleet.SETTINGS),
              AppSettings.embedded(stage.bootstrap(), dir.resolve("state")).streams())) {
        stage.beforeTheFault(STOP_AFTER);
        assertTrue(streams.awaitRunning(Fleet.WAIT), "streams not running: " + streams.failure());
        try (Committed impact = new Committed(stage.bootstrap(), Fleet.SETTINGS.impactTopic())) {
          impact.atLeast(STOP_AFTER - Fleet.START, Fleet.WAIT);
        }

        Duration down = stage.restartBroker(OUTAGE, () -> stage.rows(STOP_AFTER + 1, SENT_WHILE_DOWN));
        long restartedAt = System.nanoTime();
        assertFalse(streams.hasStopped(), "streams stopped with the broker: " + streams.failure());
        try (Committed impact = new Committed(stage.bootstrap(), Fleet.SETTINGS.impactTopic())) {
          impact.atLeast(STOP_AFTER - Fleet.START + 1, Fleet.WAIT);
          resumed = (System.nanoTime() - restartedAt) / 1e9;
          impact.atLeast(SENT_WHILE_DOWN - Fleet.START, Fleet.WAIT);
        }
        System.err.printf(
            "[BrokerRestartIT] broker stopped after impact step %d and back %.1f s later; first"
                + " impact record %.1f s after that%n",
            STOP_AFTER - Fleet.START, down.toMillis() / 1000.0, resumed);

        stage.theEnd(SENT_WHILE_DOWN + 1);
        try (Committed summary = new Committed(stage.bootstrap(), Fleet.SETTINGS.summaryTopic());
            Committed impact = new Committed(stage.bootstrap(), Fleet.SETTINGS.impactTopic())) {
          summary.atLeast(1, Fleet.WAIT);
          impact.atLeast(Audit.impactRecords(fleet), Fleet.WAIT);
        }
        assertFalse(streams.hasStopped(), "streams stopped: " + streams.failure());
        stored = Audit.stores(streams, fleet, Fleet.WAIT);
      }
      System.err.printf(
          "[BrokerRestartIT] %s; %.1f s in all%n", stage.audit("BrokerRestartIT", stored),
          stage.seconds());
    }
  }
}
