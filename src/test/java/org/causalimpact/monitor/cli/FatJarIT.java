package org.causalimpact.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar as users run it: separate JVM processes, real files and pipes. Runs under
 * Failsafe after {@code package}, so {@code target/causal-impact-monitor.jar} exists.
 */
class FatJarIT {
  private static final Path JAR =
      Path.of(System.getProperty("cim.jar", "target/causal-impact-monitor.jar"));
  private static final String DEMO = "config/monitors/demo.yaml";
  private static final String CAMPAIGN = "config/interventions/demo-campaign.json";

  record Run(int code, String out, String err) {}

  private static Run java(Path stdin, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    if (stdin != null) {
      pb.redirectInput(stdin.toFile());
    }
    Path out = Files.createTempFile("cim-out", ".txt");
    Path err = Files.createTempFile("cim-err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the command did not finish in 120 s");
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void demoPipelineRecoversTheInjectedEffect(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("demo.csv");
    Run sim = java(null, "simulate", "--monitor", DEMO, "--intervention", CAMPAIGN, "--output",
        csv.toString());
    assertEquals(0, sim.code(), sim.err());
    Matcher truth =
        Pattern.compile("true average effect of demo-campaign on signups: (\\S+)")
            .matcher(sim.err());
    assertTrue(truth.find(), sim.err());
    double trueEffect = Double.parseDouble(truth.group(1));

    Run json = java(csv, "analyze", "--monitor", DEMO, "--intervention", CAMPAIGN, "--csv", "-",
        "--format", "json");
    assertEquals(0, json.code(), json.err());
    JsonNode root = new ObjectMapper().readTree(json.out());
    assertEquals(1, root.get("schema").asInt());
    JsonNode signups = null;
    for (JsonNode o : root.get("outcomes")) {
      if (o.get("node").asText().equals("signups")) {
        signups = o;
      }
    }
    assertTrue(signups != null, "no signups outcome in " + root.get("outcomes"));
    JsonNode boot = signups.get("summary").get("average").get("effect").get("bootstrap");
    assertTrue(
        boot.get(0).asDouble() <= trueEffect && trueEffect <= boot.get(1).asDouble(),
        "true effect " + trueEffect + " outside bootstrap interval " + boot);
    assertEquals(120, signups.get("series").size());
  }

  @Test
  void badInputExitsWithTwoAndNoStackTrace(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("bad.csv");
    Files.writeString(csv, "y,x\n1,2\n2,abc\n3,4\n4,5\n5,6\n");
    Run run = java(null, "analyze", "--csv", csv.toString(), "--pre", "0:2", "--post", "3:4");
    assertEquals(2, run.code(), run.err());
    assertTrue(run.err().contains("abc"), run.err());
    assertFalse(run.err().contains("\tat "), "stack trace printed: " + run.err());
    assertEquals("", run.out());
  }

  @Test
  void validatePrintsCoverageOfBothRoutes() throws Exception {
    Run run =
        java(null, "validate", "--monitor", "config/monitors/validation.yaml", "--intervention",
            "config/interventions/validation-campaign.json", "--replicates", "5",
            "--bootstrap", "199");
    assertEquals(0, run.code(), run.err());
    assertTrue(run.out().contains("coverage, cumulative effect"), run.out());
    // sqrt(0.95 * 0.05 / 5) = 0.0975
    assertTrue(run.out().contains("coverage near 95%: 9.7 points (binomial s.e., 5 replicates)"), run.out());
    assertTrue(run.err().contains("5/5 replicates"), run.err());
  }

  /**
   * The README's demo: the result printed, then the live page kept up until Ctrl-C (SIGTERM here);
   * Kafka's own log lines in a file, not on the console.
   */
  @Test
  void demoKeepsThePageUpAfterTheResultUntilCtrlC(@TempDir Path dir) throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path out = dir.resolve("demo.out");
    Path err = dir.resolve("demo.err");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toString(), "demo", "--speed", "0", "--campaign-speed", "0", "--port",
                Integer.toString(port))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!Files.readString(out).contains("the live page stays up") && p.isAlive()
          && System.nanoTime() < deadline) {
        Thread.sleep(250);
      }
      assertTrue(p.isAlive(), "the demo exited after its result\n" + Files.readString(out)
          + Files.readString(err));
      Thread.sleep(3_000);
      assertTrue(p.isAlive(), "the demo is still up 3 s after its result");
      java.net.HttpURLConnection page =
          (java.net.HttpURLConnection) java.net.URI.create("http://127.0.0.1:" + port + "/")
              .toURL().openConnection();
      assertEquals(200, page.getResponseCode(), "the live page answers after the result");
      page.disconnect();
    } finally {
      p.destroy();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the demo did not stop within 60 s of SIGTERM");
    }
    String stdout = Files.readString(out);
    String stderr = Files.readString(err);
    assertTrue(stdout.contains("estimated average effect"), stdout);
    assertTrue(stdout.contains("stopped: simulator, streams and broker closed"), stdout);
    Matcher log = Pattern.compile("WARN lines go to (\\S+)").matcher(stdout);
    assertTrue(log.find(), stdout);
    Path kafkaLog = Path.of(log.group(1));
    String kafkaLines = Files.readString(kafkaLog);
    Files.delete(kafkaLog);
    // Kafka Streams warns that its state directory is a temporary one: in the file, not on stderr
    assertTrue(
        kafkaLines.contains("WARN [main] org.apache.kafka.streams.processor.internals.StateDirectory"),
        kafkaLines);
    assertFalse(stderr.contains("WARN StateDirectory:"), stderr);
    assertFalse(stderr.contains("WARN NetworkClient:"), stderr);
  }
}
