package org.causalimpact.monitor.fault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.causalimpact.monitor.app.AppSettings;

/**
 * {@code java -jar causal-impact-monitor.jar run} in its own JVM, as a user starts it (the fat jar
 * of the Failsafe property {@code cim.jar}), with a settings file written for the embedded broker.
 * Output goes to files, for the assertion messages. Not thread-safe.
 */
final class MonitorJvm {
  private static final Path JAR =
      Path.of(System.getProperty("cim.jar", "target/causal-impact-monitor.jar"));

  /** The consumer session of every instance: the broker's minimum (the default is 45 s). */
  private static final Map<String, String> SESSION =
      Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1000");

  private final Process process;
  private final Path out;
  private final Path err;

  private MonitorJvm(Process process, Path out, Path err) {
    this.process = process;
    this.out = out;
    this.err = err;
  }

  /**
   * Writes {@code dir/<name>.properties}: the broker, {@code application.id}, the state directory,
   * exactly-once with a commit every 100 ms, replication factor 1, the grace of {@link
   * Fleet#SETTINGS}, and a consumer session of 6 s (the broker's minimum), so that the group notices a killed
   * instance after 6 s rather than the default 45 s.
   */
  static Path settings(
      Path dir, String name, String bootstrap, String applicationId, Path stateDir)
      throws IOException {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", bootstrap);
    p.setProperty("application.id", applicationId);
    p.setProperty("state.dir", stateDir.toAbsolutePath().toString());
    p.setProperty("processing.guarantee", "exactly_once_v2");
    p.setProperty("replication.factor", "1");
    p.setProperty("commit.interval.ms", "100");
    SESSION.forEach(p::setProperty);
    p.setProperty("monitor.grace", Fleet.SETTINGS.grace().toMillis() + "ms");
    Path file = dir.resolve(name + ".properties");
    Files.createDirectories(dir);
    try (var w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(w, "fault test " + name);
    }
    return file;
  }

  /** {@code configs} with the consumer session of the forked instances, for one in this JVM. */
  static AppSettings sameSession(AppSettings configs) {
    AppSettings c = configs;
    for (Map.Entry<String, String> e : SESSION.entrySet()) {
      c = c.with(e.getKey(), e.getValue());
    }
    return c;
  }

  /** Starts {@code run --config settings --monitors monitors --port -1}; logs to {@code dir}. */
  static MonitorJvm start(Path settings, Path monitors, Path dir, String name) throws IOException {
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    Process p =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx384m",
                    "-jar", JAR.toString(),
                    "run",
                    "--config", settings.toString(),
                    "--monitors", monitors.toString(),
                    "--port", "-1"))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    return new MonitorJvm(p, out, err);
  }

  /**
   * Waits until {@code run} announces {@code streams: RUNNING}.
   *
   * @throws AssertionError if the process ends or the timeout passes first
   */
  void awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!read(out).contains("streams: RUNNING")) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError(
            "run did not report RUNNING within " + timeout + " (alive: " + process.isAlive() + ")\n"
                + this);
      }
      Thread.sleep(100);
    }
  }

  /** Kills the JVM with SIGKILL (no shutdown hook, no commit, no leaving the group). */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("the killed monitor JVM did not end within 30 s");
    }
  }

  /** Stops the JVM as Ctrl-C does (SIGTERM: Kafka Streams is closed and leaves its group). */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("run did not stop within 60 s of SIGTERM\n" + this);
    }
    if (!read(out).contains("stopped: streams closed")) {
      throw new AssertionError("run did not close its streams on SIGTERM\n" + this);
    }
  }

  /** Kills the JVM if it still runs (cleanup after a failed test). */
  void destroy() {
    process.destroyForcibly();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    String e = read(err);
    return "--- stdout\n" + read(out) + "--- stderr (end)\n"
        + e.substring(Math.max(0, e.length() - 4000));
  }
}
