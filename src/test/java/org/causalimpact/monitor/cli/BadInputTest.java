package org.causalimpact.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Acceptance item 7 of issue 2: bad input gives a message that says what to fix and exit status
 * 2, never a stack trace.
 */
class BadInputTest {
  @TempDir Path dir;

  private Path csv(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  /** A valid file: y = 1.2 x1 + 0.5 x2 + wiggle, +5 from row 30, 40 daily rows. */
  private Path good() throws Exception {
    StringBuilder sb = new StringBuilder("date,y,x1,x2\n");
    LocalDate day = LocalDate.of(2020, 1, 1);
    for (int t = 0; t < 40; t++) {
      double x1 = 100 + 5 * Math.sin(t / 3.0);
      double x2 = 50 + 3 * Math.cos(t / 4.0);
      double y = 1.2 * x1 + 0.5 * x2 + Math.sin(t * 1.7) + (t >= 30 ? 5 : 0);
      sb.append(String.format(Locale.ROOT, "%s,%.4f,%.4f,%.4f%n", day.plusDays(t), y, x1, x2));
    }
    return csv("good.csv", sb.toString());
  }

  private static CliRun assertBadInput(String expected, String... args) {
    CliRun r = CliRun.of(args);
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains(expected), "expected '" + expected + "' in\n" + r);
    assertNoStackTrace(r);
    assertEquals("", r.out(), "nothing on stdout on error");
    return r;
  }

  private static void assertNoStackTrace(CliRun r) {
    assertFalse(r.err().contains("\tat "), r.toString());
    assertFalse(r.err().contains("Exception"), r.toString());
  }

  @Test
  void missingFile() {
    assertBadInput(
        "error: file not found: " + dir.resolve("nope.csv"),
        "analyze", "--csv", dir.resolve("nope.csv").toString(), "--pre", "0:69", "--post",
        "70:99");
  }

  @Test
  void malformedCsv() throws Exception {
    Path quote = csv("quote.csv", "date,y,x\n2020-01-01,1,2\n\"2020-01-02,2,3\n2020-01-03,3,4\n");
    assertBadInput(
        "is not valid CSV in the row starting at line 3", "analyze", "--csv", quote.toString(),
        "--pre", "0:1", "--post", "2:2");
    Path ragged = csv("ragged.csv", "date,y,x\n2020-01-01,1,2\n2020-01-02,2\n2020-01-03,3,4\n");
    assertBadInput(
        "ragged.csv line 3 has 2 fields but the header has 3", "analyze", "--csv",
        ragged.toString(), "--pre", "0:1", "--post", "2:2");
  }

  @Test
  void nonNumericCellNamesRowAndColumn() throws Exception {
    Path f = csv("n.csv",
        "date,y,x\n2020-01-01,1,2\n2020-01-02,2,3\n2020-01-03,3,4\n2020-01-04,4,1O\n");
    assertBadInput(
        "n.csv line 5 (row 3), column 'x' holds '1O', which is not a number", "analyze", "--csv",
        f.toString(), "--pre", "0:2", "--post", "3:3");
  }

  @Test
  void nanInCovariate() throws Exception {
    Path f = csv("nan.csv",
        "date,y,x\n2020-01-01,1,2\n2020-01-02,2,NaN\n2020-01-03,3,4\n2020-01-04,4,5\n");
    assertBadInput(
        "nan.csv line 3 (row 1), column 'x' holds 'NaN', a missing or non-finite value",
        "analyze", "--csv", f.toString(), "--pre", "0:2", "--post", "3:3");
  }

  @Test
  void unknownColumn() throws Exception {
    String f = good().toString();
    assertBadInput(
        "--columns names column 'x3', which " + f + " does not have; its columns are: date, y,"
            + " x1, x2",
        "analyze", "--csv", f, "--columns", "x1,x3", "--pre", "0:29", "--post", "30:39");
    assertBadInput(
        "--response names column 'Y'", "analyze", "--csv", f, "--response", "Y", "--pre", "0:29",
        "--post", "30:39");
  }

  @Test
  void postBeforePre() throws Exception {
    assertBadInput(
        "must come after the pre-period (rows 30–39): --post is before --pre; swap them",
        "analyze", "--csv", good().toString(), "--pre", "30:39", "--post", "0:29");
  }

  @Test
  void datesPastTheDataAreRefusedLikeRowIndexes() throws Exception {
    // good() runs 2020-01-01..2020-02-09 (rows 0–39)
    assertBadInput(
        "--post '2020-01-31:2020-03-01': '2020-03-01' is after the data's last date, 2020-02-09:"
            + " the data runs from 2020-01-01 to 2020-02-09 (rows 0–39)",
        "analyze", "--csv", good().toString(), "--pre", "0:29", "--post", "2020-01-31:2020-03-01");
    assertBadInput(
        "--pre '2019-12-01:2020-01-30': '2019-12-01' is before the data's first date, 2020-01-01",
        "analyze", "--csv", good().toString(), "--pre", "2019-12-01:2020-01-30", "--post",
        "30:39");
  }

  @Test
  void gapBetweenPeriods() throws Exception {
    assertBadInput(
        "the periods must be contiguous", "analyze", "--csv", good().toString(), "--pre", "0:19",
        "--post", "30:39");
  }

  @Test
  void constantResponse() throws Exception {
    Path f = csv("c.csv", "date,y,x\n2020-01-01,5,2\n2020-01-02,5,3\n2020-01-03,5,4\n"
        + "2020-01-04,6,5\n");
    assertBadInput(
        "the response 'y' is constant (5.0) over the pre-period (rows 0–2)", "analyze", "--csv",
        f.toString(), "--pre", "0:2", "--post", "3:3");
  }

  @Test
  void aRowIndexInFirstPlaceIsNotTakenForTheMetric() throws Exception {
    Path f = csv("t.csv", "t,y,x\n0,5.1,2\n1,4.9,3\n2,5.3,4\n3,6.2,5\n4,6.0,4\n");
    assertBadInput(
        "the first numeric column 't', taken as the response, counts the rows (0, 1, ...): it"
            + " looks like a time or row index, not a metric; name it with --time-column t",
        "analyze", "--csv", f.toString(), "--pre", "0:2", "--post", "3:4");
  }

  @Test
  void prePeriodTooShortForTheParameters() throws Exception {
    // 2 covariates at lags 0..3 plus 3 own lags and an intercept: 12 coefficients, 8 rows
    assertBadInput(
        "the pre-period has", "analyze", "--csv", good().toString(), "--pre", "0:7", "--post",
        "8:12", "--ar", "3");
  }

  @Test
  void invalidYaml() throws Exception {
    Path yaml = Files.writeString(dir.resolve("bad.yaml"), "name: [unclosed\n  nodes: {\n");
    assertBadInput(
        "invalid YAML", "analyze", "--monitor", yaml.toString(), "--csv", good().toString(),
        "--intervention", "{\"id\": \"x\", \"timestamp\": 0, \"outcomes\": [\"y\"]}");
  }

  @Test
  void simulatePacingOptionsNeedKafkaAndASpeed() throws Exception {
    assertBadInput("--config, --speed and --campaign-speed apply only with --to-kafka",
        "simulate", "--monitor", "config/monitors/demo.yaml", "--campaign-speed", "2");
    assertBadInput("--campaign-speed must be a number of steps per second >= 0, got -1.0",
        "simulate", "--monitor", "config/monitors/demo.yaml", "--to-kafka", "127.0.0.1:1",
        "--campaign-speed", "-1");
  }

  @Test
  void interventionIdWithASlashInAnEventFile() throws Exception {
    Path event =
        Files.writeString(
            dir.resolve("slash.json"),
            Files.readString(Path.of("config/interventions/demo-campaign.json"))
                .replace("\"demo-campaign\"", "\"demo/campaign\""));
    String expected = "intervention event in " + event + ": \"id\" 'demo/campaign' is not an"
        + " intervention id: use 1 to 128 characters of letters, digits";
    assertBadInput(expected, "simulate", "--monitor", "config/monitors/demo.yaml", "--intervention",
        event.toString());
    assertBadInput(expected, "analyze", "--monitor", "config/monitors/demo.yaml", "--csv",
        good().toString(), "--intervention", "@" + event);
  }

  @Test
  void missingMonitorFile() throws Exception {
    assertBadInput(
        "not found", "analyze", "--monitor", dir.resolve("none.yaml").toString(), "--csv",
        good().toString(), "--intervention", "{\"id\": \"x\", \"timestamp\": 0, \"outcomes\": [\"y\"]}");
  }

  @Test
  void badOptionValues() throws Exception {
    String f = good().toString();
    assertBadInput("--level must be in (0, 1)", "analyze", "--csv", f, "--pre", "0:29", "--post",
        "30:39", "--level", "1.5");
    assertBadInput("Invalid value for option '--level'", "analyze", "--csv", f, "--pre", "0:29",
        "--post", "30:39", "--level", "high");
    assertBadInput("--bootstrap must be between 19", "analyze", "--csv", f, "--pre", "0:29",
        "--post", "30:39", "--bootstrap", "5");
    assertBadInput("--seasonality 'weekly' is not PERIOD[:HARMONICS]", "analyze", "--csv", f,
        "--pre", "0:29", "--post", "30:39", "--seasonality", "weekly");
    assertBadInput("seasonality harmonics must be between 1 and period/2", "analyze", "--csv", f,
        "--pre", "0:29", "--post", "30:39", "--seasonality", "7:5");
    assertBadInput("Invalid value for option '--format'", "analyze", "--csv", f, "--pre", "0:29",
        "--post", "30:39", "--format", "xml");
  }

  @Test
  void runWithAnAddressThatIsNotOneOfThisMachine() {
    assertBadInput("--bind nosuch.invalid is not an address of this machine", "run", "--bind",
        "nosuch.invalid");
  }

  @Test
  void runWithAMonitorSettingWithATypo() throws Exception {
    Path typo = Files.writeString(dir.resolve("typo.properties"),
        "bootstrap.servers=127.0.0.1:9\nmonitor.max.post.row=500\n");
    assertBadInput("error: setting monitor.max.post.row=500 (from " + typo + ") is not a setting"
        + " of the monitor; the nearest is monitor.max.post.rows.", "run", "--config",
        typo.toString(), "--port", "-1");
  }

  @Test
  void runWithAJaasLineKafkaCannotParse() throws Exception {
    String secret = "pw-" + UUID.randomUUID();
    String sasl = "bootstrap.servers=127.0.0.1:9\nsecurity.protocol=SASL_PLAINTEXT\n"
        + "sasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain."
        + "PlainLoginModule required username=\"u\" password=\"" + secret + "\"\n";
    Path config = Files.writeString(dir.resolve("sasl.properties"), sasl);
    CliRun r = assertBadInput("error: setting sasl.jaas.config=******** (from " + config
        + ") is not a JAAS line Kafka can read: JAAS config entry not terminated by semi-colon",
        "run", "--config", config.toString(), "--port", "-1");
    assertFalse(r.err().contains(secret), r.toString());
  }

  @Test
  void modeMixups() throws Exception {
    String f = good().toString();
    assertBadInput("give --pre A:B and --post C:D", "analyze", "--csv", f);
    assertBadInput("--intervention needs --monitor", "analyze", "--csv", f, "--intervention",
        "{}");
    assertBadInput("apply to CausalImpact mode only", "analyze", "--csv", f, "--monitor",
        "config/monitors/demo.yaml", "--pre", "0:1", "--intervention", "{}");
  }

  @Test
  void unknownOptionAndMissingCommand() {
    CliRun r = assertBadInput("Unknown options: '--pree'", "analyze", "--csv", "x.csv", "--pree",
        "0:1");
    assertTrue(r.err().contains("Try 'causal-impact-monitor analyze --help'"), r.toString());
    assertBadInput("Missing required option: '--csv=FILE'", "analyze", "--pre", "0:1");
    assertBadInput("error: name a command");
    assertBadInput("Unmatched argument", "analyse", "--csv", "x.csv");
  }

  @Test
  void helpAndVersionSucceed() {
    CliRun v = CliRun.of("--version");
    assertEquals(0, v.code(), v.toString());
    assertTrue(v.out().startsWith("causal-impact-monitor "), v.toString());
    CliRun h = CliRun.of("analyze", "--help");
    assertEquals(0, h.code(), h.toString());
    assertTrue(h.out().contains("--pre"), h.toString());
  }

  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException("kaput");
    }
  }

  @Test
  void unexpectedFailuresExitOneAndShowTheTraceOnlyWithDebug() {
    for (boolean debug : new boolean[] {false, true}) {
      StringWriter err = new StringWriter();
      CommandLine cl =
          Main.commandLine(null, new PrintWriter(new StringWriter()), new PrintWriter(err, true),
              debug);
      cl.addSubcommand("boom", new Boom());
      int code = debug ? cl.execute("--debug", "boom") : cl.execute("boom");
      assertEquals(1, code);
      assertTrue(err.toString().startsWith("internal error: kaput"), err.toString());
      assertEquals(debug, err.toString().contains("\tat "), err.toString());
    }
  }
}
