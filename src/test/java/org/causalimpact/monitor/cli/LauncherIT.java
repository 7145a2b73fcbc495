package org.causalimpact.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/causal-impact-monitor}, the launcher of the README's {@code analyze} examples, run as
 * users run it after {@code package} (under Failsafe): the same report as the jar run in-process,
 * the build's class-data archive in use, the quick compiler for {@code analyze}, and a message
 * that says how to build when the jar is missing.
 */
class LauncherIT {
  private static final Path LAUNCHER = Path.of("bin", "causal-impact-monitor");

  record Run(int code, String out, String err) {}

  private static Run launch(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    return launchAt(LAUNCHER.toAbsolutePath().toString(), env, args);
  }

  private static Run launchAt(String launcher, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(concat(List.of(launcher), List.of(args)));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().putAll(env);
    Path out = Files.createTempFile("cim-launcher-out", ".txt");
    Path err = Files.createTempFile("cim-launcher-err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher did not finish in 120 s");
    Run run =
        new Run(
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    return run;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static String inProcess(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String[] analyzeArgs(Path csv) {
    return new String[] {
      "analyze", "--csv", csv.toString(), "--response", "y", "--pre", "0:449", "--post", "450:599"
    };
  }

  private static Path simulated(Path dir) {
    Path csv = dir.resolve("data.csv");
    inProcess(
        "simulate", "--monitor", "config/studies/causalimpact-drift.yaml", "--intervention",
        "config/studies/causalimpact-campaign.json", "--output", csv.toString());
    return csv;
  }

  @Test
  void analyzePrintsWhatTheJarPrintsInProcess(@TempDir Path dir) throws Exception {
    Path csv = simulated(dir);
    Run run = launch(Map.of(), analyzeArgs(csv));
    assertEquals(0, run.code(), run.err());
    assertEquals(inProcess(analyzeArgs(csv)), run.out());
    assertEquals("", run.err());
  }

  @Test
  void theBuildsClassArchiveIsMappedAndAnalyzeRunsTheQuickCompiler(@TempDir Path dir)
      throws Exception {
    Path csv = simulated(dir);
    // -Xshare:on: the JVM stops rather than run without a usable archive
    Run run =
        launch(
            Map.of(
                "CIM_JAVA_OPTS",
                "-Xshare:on -Xlog:class+load=info:file=" + dir.resolve("classes.log")
                    + " -XX:+PrintFlagsFinal"),
            analyzeArgs(csv));
    assertEquals(0, run.code(), run.err());
    String classes = Files.readString(dir.resolve("classes.log"));
    assertTrue(
        classes.contains("org.causalimpact.monitor.cli.Main source: shared objects file (top)"),
        "Main was not loaded from the build's archive (target/causal-impact-monitor.jsa)");
    assertTrue(
        classes.contains("org.causalimpact.monitor.scm.NoiseProcess source: shared objects file"),
        "the model's classes were not loaded from the build's archive");
    assertTrue(
        run.out().matches("(?s).*intx TieredStopAtLevel\\s+= 1 .*"),
        "analyze did not run with C1 alone");
  }

  @Test
  void aSymbolicLinkToTheLauncherFindsTheCheckout(@TempDir Path dir) throws Exception {
    Path link = dir.resolve("bin").resolve("cim");
    Files.createDirectories(link.getParent());
    // relative, as `ln -s ../../checkout/bin/causal-impact-monitor cim` makes it
    Files.createSymbolicLink(link, link.getParent().relativize(LAUNCHER.toAbsolutePath()));
    Run run = launchAt(link.toString(), Map.of(), "--version");
    assertEquals(0, run.code(), run.err());
    assertTrue(run.out().startsWith("causal-impact-monitor "), run.out());
  }

  @Test
  void aMissingJarSaysHowToBuildIt(@TempDir Path dir) throws Exception {
    Run run = launch(Map.of("CIM_JAR", dir.resolve("none.jar").toString()), "--version");
    assertEquals(1, run.code());
    assertTrue(run.err().contains("mvn -B -q package -DskipTests"), run.err());
    assertEquals("", run.out());
  }
}
