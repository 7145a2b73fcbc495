package org.causalimpact.monitor.metrics;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real Prometheus server, started as a child process on 127.0.0.1 with a temporary TSDB, and a
 * client of its HTTP API (the methods of {@link PrometheusApi}). {@link #close} stops it through
 * its process handle.
 */
final class PrometheusServer extends PrometheusApi implements AutoCloseable {
  private final ChildProcess process;

  private PrometheusServer(ChildProcess process, URI base) {
    super(base);
    this.process = process;
  }

  /**
   * Starts {@code binary} with {@code config}, storing samples under {@code dir}, and waits until
   * it answers {@code /-/ready}.
   */
  static PrometheusServer start(Path binary, Path config, Path dir, Duration timeout)
      throws IOException, InterruptedException {
    int port = PrometheusTools.freePort();
    URI base = URI.create("http://127.0.0.1:" + port);
    ChildProcess process =
        ChildProcess.start(
            "prometheus", dir, timeout, base + "/-/ready",
            binary.toString(),
            "--config.file=" + config,
            "--storage.tsdb.path=" + dir.resolve("tsdb"),
            "--web.listen-address=127.0.0.1:" + port);
    return new PrometheusServer(process, base);
  }

  /** What the server has logged so far. */
  String log() {
    return process.log();
  }

  /** Stops the server (SIGTERM, then SIGKILL after 10 s). */
  @Override
  public void close() {
    process.close();
  }
}
