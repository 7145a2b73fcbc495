package org.causalimpact.monitor.fault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.causalimpact.monitor.demo.EmbeddedKafka;

/**
 * What every fault test stands on: the embedded broker with the monitor's topics ({@link
 * Fleet#SETTINGS}), a {@link Fleet} of monitors and the {@link Feed} of their input, and the parts
 * of the campaign timeline that do not depend on the fault. Closing it closes the feed and the
 * broker. Not thread-safe.
 */
final class Stage implements AutoCloseable {
  private final long opened = System.nanoTime();
  private final Fleet fleet;
  private final Feed feed;
  private EmbeddedKafka kafka;

  private Stage(Fleet fleet, EmbeddedKafka kafka) {
    this.fleet = fleet;
    this.kafka = kafka;
    this.feed = new Feed(kafka.bootstrapServers(), Fleet.SETTINGS);
  }

  /**
   * Starts a broker in {@code dir/kafka} with the topics at {@code partitions} partitions, and
   * writes {@code monitors} monitors to {@code dir/monitors}.
   */
  static Stage open(Path dir, int monitors, int partitions) throws Exception {
    Fleet fleet = Fleet.write(dir.resolve("monitors"), monitors, partitions);
    EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
    try {
      kafka.createTopics(Fleet.SETTINGS.topics(), partitions);
      return new Stage(fleet, kafka);
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
  }

  Fleet fleet() {
    return fleet;
  }

  Feed feed() {
    return feed;
  }

  EmbeddedKafka kafka() {
    return kafka;
  }

  String bootstrap() {
    return kafka.bootstrapServers();
  }

  /**
   * Every monitor's pre-period, three bad records, the campaign's start and its rows up to {@code
   * through} (inclusive: the impact of rows before it can be committed); all acknowledged.
   */
  void beforeTheFault(int through) {
    feed.rows(fleet, 0, Fleet.START);
    for (Fleet.Member m : fleet.members()) {
      feed.bad(m, 100);
      feed.start(m);
    }
    feed.rows(fleet, Fleet.START, through + 1);
    feed.flush();
  }

  /** Rows {@code [from, through]} of every monitor and three bad records each; not flushed. */
  void rows(int from, int through) {
    feed.rows(fleet, from, through + 1);
    fleet.members().forEach(m -> feed.bad(m, from));
  }

  /**
   * The campaign's last rows from {@code from}, a late point, the end and the point that closes
   * the last row, of every monitor; all acknowledged.
   */
  void theEnd(int from) {
    feed.rows(fleet, from, Fleet.ROWS);
    for (Fleet.Member m : fleet.members()) {
      feed.late(m, 405);
      feed.end(m);
    }
    feed.flush();
  }

  /**
   * Stops the broker, runs {@code whileDown} at once (a send may block until the broker is back,
   * so the broker is started again from another thread), and after {@code outage} starts it again
   * on the same ports and directories.
   *
   * @return how long the broker was unavailable, its start included
   */
  Duration restartBroker(Duration outage, Runnable whileDown) throws Exception {
    EmbeddedKafka stopped = kafka;
    stopped.close();
    long stoppedAt = System.nanoTime();
    CompletableFuture<EmbeddedKafka> restart =
        CompletableFuture.supplyAsync(
            stopped::restart,
            CompletableFuture.delayedExecutor(outage.toMillis(), TimeUnit.MILLISECONDS));
    whileDown.run();
    kafka = restart.get(Fleet.WAIT.toSeconds(), TimeUnit.SECONDS);
    return Duration.ofNanos(System.nanoTime() - stoppedAt);
  }

  /** {@link Audit#check} of this stage's fleet, books and topics. */
  Audit.Counts audit(String label, Map<String, Audit.Stored> stored) {
    return Audit.check(label, fleet, feed.books(), bootstrap(), Fleet.SETTINGS, stored);
  }

  /** Seconds since the stage opened. */
  double seconds() {
    return (System.nanoTime() - opened) / 1e9;
  }

  @Override
  public void close() {
    try {
      feed.close();
    } finally {
      kafka.close();
    }
  }
}
