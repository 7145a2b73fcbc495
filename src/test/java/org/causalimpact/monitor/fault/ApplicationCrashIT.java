package org.causalimpact.monitor.fault;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.StreamsConfig;
import org.causalimpact.monitor.app.AppSettings;
import org.causalimpact.monitor.app.StreamsRunner;
import org.causalimpact.monitor.live.MonitorTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor as users run it ({@code java -jar ... run}, its own JVM) killed with SIGKILL twice in
 * the middle of a campaign, each time just after it was given rows to process: first restarted on the same state directory (its stores are reused,
 * its transactional id fences the dead one's open transaction), then on an empty one (every store
 * is restored from its changelog). Every impact record is committed exactly once and equals the
 * batch analysis, so the cumulative effect continues exactly as in an uninterrupted run; the
 * accounting invariant holds, checked on the stores as an instance that restores them from the
 * changelogs sees them. Times and counts go to stderr.
 */
class ApplicationCrashIT {
  private static final String APPLICATION_ID = "cim-crash";

  /** The first run is killed once this many impact records are committed (of 10 it can make). */
  private static final int FIRST_KILL_AT = 5;

  @TempDir Path dir;

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void killedTwiceMidCampaignEveryImpactRecordOnceAsUninterrupted() throws Exception {
    try (Stage stage = Stage.open(dir, 1, 1)) {
      Fleet fleet = stage.fleet();
      Path state = dir.resolve("state");
      Path emptyState = dir.resolve("state-empty");
      Path sameDir = MonitorJvm.settings(dir, "same-state", stage.bootstrap(), APPLICATION_ID, state);
      Path emptyDir =
          MonitorJvm.settings(dir, "empty-state", stage.bootstrap(), APPLICATION_ID, emptyState);

      stage.beforeTheFault(410);
      try (Committed impact = new Committed(stage.bootstrap(), Fleet.SETTINGS.impactTopic())) {
        MonitorJvm first = MonitorJvm.start(sameDir, fleet.dir(), dir, "first");
        int atFirstKill = killWhileBusy(first, impact, FIRST_KILL_AT, () -> send(stage, 411, 412));
        MonitorJvm second = MonitorJvm.start(sameDir, fleet.dir(), dir, "second");
        double resumed = resume(impact, atFirstKill);
        int atSecondKill =
            killWhileBusy(second, impact, atFirstKill + 1, () -> send(stage, 413, 414));
        System.err.printf(
            "[ApplicationCrashIT] killed -9 at %d impact records; restarted on the same state"
                + " directory: next impact record %.1f s after the start; killed -9 at %d%n",
            atFirstKill, resumed, atSecondKill);

        stage.theEnd(415);
        assertTrue(Files.notExists(emptyState), "the third run starts without state");
        MonitorJvm third = MonitorJvm.start(emptyDir, fleet.dir(), dir, "third");
        try {
          resumed = resume(impact, atSecondKill);
          impact.atLeast(Audit.impactRecords(fleet), Fleet.WAIT);
          try (Committed summary =
              new Committed(stage.bootstrap(), Fleet.SETTINGS.summaryTopic())) {
            summary.atLeast(1, Fleet.WAIT);
          }
          third.stop();
        } finally {
          third.destroy();
        }
        System.err.printf(
            "[ApplicationCrashIT] restarted on an empty state directory (restore from the"
                + " changelogs): next impact record %.1f s after the start%n", resumed);
      }

      // the stores as the changelogs hold them: restored by a fresh instance of the application
      Map<String, Audit.Stored> stored;
      try (StreamsRunner audit =
          StreamsRunner.start(
              MonitorTopology.build(fleet.definitions(), Fleet.SETTINGS),
              AppSettings.embedded(stage.bootstrap(), dir.resolve("state-audit"))
                  .with(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID)
                  .streams())) {
        assertTrue(audit.awaitRunning(Fleet.WAIT), "auditing instance not running: " + audit.failure());
        stored = Audit.stores(audit, fleet, Fleet.WAIT);
      }
      System.err.printf(
          "[ApplicationCrashIT] %s; %.1f s in all%n", stage.audit("ApplicationCrashIT", stored),
          stage.seconds());
    }
  }

  /**
   * Lets {@code run} work until {@code killAt} impact records are committed, gives it more input
   * ({@code more}, acknowledged) and kills it with SIGKILL at once, while it processes that.
   *
   * @return the impact records committed when it was killed
   */
  private static int killWhileBusy(MonitorJvm run, Committed impact, int killAt, Runnable more)
      throws InterruptedException {
    try {
      run.awaitRunning(Fleet.WAIT);
      impact.atLeast(killAt, Fleet.WAIT);
      more.run();
      run.kill();
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + run, e);
    } finally {
      run.destroy();
    }
    return impact.toEnd(Fleet.WAIT).size();
  }

  /** Rows {@code [from, through]} and bad records, acknowledged. */
  private static void send(Stage stage, int from, int through) {
    stage.rows(from, through);
    stage.feed().flush();
  }

  /** Seconds until the impact record after the {@code committed} ones is committed. */
  private static double resume(Committed impact, int committed) {
    long start = System.nanoTime();
    impact.atLeast(committed + 1, Fleet.WAIT);
    return (System.nanoTime() - start) / 1e9;
  }
}
