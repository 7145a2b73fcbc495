package org.causalimpact.monitor.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A program a test runs in the background (a server, the demo), its output in a log file under
 * the test's directory; {@link #close} stops it through its process handle.
 */
final class ChildProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  private ChildProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code command}, logging to {@code dir/name.log}; when {@code readyUrl} is not null,
   * waits at most {@code timeout} until a GET of it answers 200.
   */
  static ChildProcess start(String name, Path dir, Duration timeout, String readyUrl,
      String... command) throws IOException, InterruptedException {
    Path log = dir.resolve(name + ".log");
    Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    ChildProcess child = new ChildProcess(name, process, log);
    if (readyUrl != null) {
      child.awaitReady(URI.create(readyUrl), timeout);
    }
    return child;
  }

  private void awaitReady(URI url, Duration timeout) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + ":\n" + log());
      }
      try {
        if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        close();
        throw new IllegalStateException(name + " not ready within " + timeout + ":\n" + log());
      }
      Thread.sleep(100);
    }
  }

  /** What the program has printed so far. */
  String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** The name and the output, for a failure message. */
  @Override
  public String toString() {
    return "--- " + name + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")")
        + "\n" + log();
  }

  /** Stops the program (SIGTERM, then SIGKILL after 30 s). */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
