package org.causalimpact.monitor.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The external programs the observability integration tests run — Debian's {@code promtool} and
 * {@code prometheus} (package {@code prometheus}) and {@code docker-compose} — found on this
 * machine, and run as child processes with a bound wait.
 */
final class PrometheusTools {
  private PrometheusTools() {}

  /** What a finished program printed and returned. */
  record Run(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  /**
   * The executable {@code name} in {@code /usr/bin} (where Debian installs it) or else on the
   * {@code PATH}; empty when there is none.
   */
  static Optional<Path> find(String name) {
    List<Path> candidates = new ArrayList<>();
    candidates.add(Path.of("/usr/bin", name));
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, name));
        }
      }
    }
    return candidates.stream().filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
        .findFirst();
  }

  /**
   * Runs {@code command} in the working directory of the test (the project's root) and waits for
   * it at most {@code timeout}; a program still running then is killed and reported as a failure.
   */
  static Run run(Duration timeout, List<String> command) throws IOException, InterruptedException {
    return run(timeout, Map.of(), command);
  }

  /** The same with {@code environment} added to this process' environment. */
  static Run run(Duration timeout, Map<String, String> environment, List<String> command)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("cim-tool-out", ".txt");
    Path err = Files.createTempFile("cim-tool-err", ".txt");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      builder.environment().putAll(environment);
      Process p = builder.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            String.join(" ", command) + " did not finish within " + timeout + "\n--- stdout\n"
                + Files.readString(out, StandardCharsets.UTF_8) + "\n--- stderr\n"
                + Files.readString(err, StandardCharsets.UTF_8));
      }
      return new Run(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** The project's alerting rules, {@code config/alerts.yml}. */
  static final Path ALERT_RULES = Path.of("config", "alerts.yml");

  /**
   * {@link #ALERT_RULES} with alert {@code alert} pending {@code pending} (e.g. "5s") instead of
   * its minutes, so that a test sees it fire; everything else as in the file.
   */
  static String alertRulesWithPending(String alert, String pending) throws IOException {
    YAMLMapper yaml = new YAMLMapper();
    JsonNode rules = yaml.readTree(ALERT_RULES.toFile());
    boolean found = false;
    for (JsonNode group : rules.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        if (rule.path("alert").asText().equals(alert)) {
          ((ObjectNode) rule).put("for", pending);
          found = true;
        }
      }
    }
    if (!found) {
      throw new AssertionError(ALERT_RULES + " has no alert " + alert);
    }
    return yaml.writeValueAsString(rules);
  }

  /** A TCP port on 127.0.0.1 that was free a moment ago. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
