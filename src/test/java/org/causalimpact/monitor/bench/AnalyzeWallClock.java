package org.causalimpact.monitor.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.causalimpact.monitor.scm.TimeSeriesTable;

/**
 * Wall-clock time of the whole {@code analyze} process on a 5,000-row CSV, the second half of the
 * performance target of issue 2, item 6 ("≤ 1 s wall").
 *
 * <p>Writes a CSV with a {@code date} column and 4 numeric columns ({@code y, x1, x2, x3}, drawn by
 * {@link org.causalimpact.monitor.scm.DataSimulator}, level shift of +2 on {@code y} from row 4,500)
 * to a temporary directory, then runs {@code java -jar JAR analyze --csv FILE --pre 0:4499 --post
 * 4500:4999} as a child process (working directory: the temporary directory, so any report files
 * land there) and prints min / median / max wall time in ms. Each run is a cold JVM, as a user
 * sees it.
 *
 * <p>Arguments (all optional): {@code [JAR [RUNS]]}. System properties: {@code cim.jar} (default
 * {@code target/causal-impact-monitor.jar}), {@code cim.runs} (default 5), {@code cim.warmup}
 * (untimed runs first, default 1, to warm the OS file cache), {@code cim.args} (extra CLI arguments
 * appended, split at spaces, e.g. {@code --ar=1}), {@code cim.java} (the java launcher, default this
 * JVM's), {@code cim.keep} ({@code true} keeps the temporary directory with the CSV, the reports and
 * the last run's output in {@code analyze.log}). Exit code 1 when a run fails; its output is
 * printed.
 */
public final class AnalyzeWallClock {
  static final int ROWS = 5_000;
  static final int START = 4_500;

  private AnalyzeWallClock() {}

  public static void main(String[] args) throws Exception {
    String jar =
        args.length > 0 ? args[0] : System.getProperty("cim.jar", "target/causal-impact-monitor.jar");
    int runs = Integer.parseInt(args.length > 1 ? args[1] : System.getProperty("cim.runs", "5"));
    int warmup = Integer.parseInt(System.getProperty("cim.warmup", "1"));
    String extra = System.getProperty("cim.args", "").trim();
    String java =
        System.getProperty(
            "cim.java", Path.of(System.getProperty("java.home"), "bin", "java").toString());

    Path jarPath = Path.of(jar).toAbsolutePath();
    if (!Files.isRegularFile(jarPath)) {
      System.err.println("AnalyzeWallClock: no jar at " + jarPath + " (build it: mvn package)");
      System.exit(1);
    }
    Path dir = Files.createTempDirectory("cim-wallclock");
    Path csv = dir.resolve("bench-5000.csv");
    writeCsv(csv);

    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            java,
            "-jar",
            jarPath.toString(),
            "analyze",
            "--csv",
            csv.toString(),
            "--pre",
            "0:" + (START - 1),
            "--post",
            START + ":" + (ROWS - 1)));
    if (!extra.isEmpty()) {
      command.addAll(Arrays.asList(extra.split("\\s+")));
    }
    System.out.println("data:    " + csv + " (" + ROWS + " rows, date + 4 numeric columns)");
    System.out.println("command: " + String.join(" ", command));
    System.out.println("cwd:     " + dir);

    for (int i = 0; i < warmup; i++) {
      runOnce(command, dir, "warm-up " + (i + 1));
    }
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      ms[i] = runOnce(command, dir, "run " + (i + 1));
      System.out.printf(Locale.ROOT, "run %d: %.0f ms%n", i + 1, ms[i]);
    }
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    double median =
        runs % 2 == 1
            ? sorted[runs / 2]
            : 0.5 * (sorted[runs / 2 - 1] + sorted[runs / 2]);
    System.out.printf(
        Locale.ROOT,
        "analyze wall time over %d runs (%d rows): min %.0f ms, median %.0f ms, max %.0f ms"
            + " (target <= 1000 ms)%n",
        runs,
        ROWS,
        sorted[0],
        median,
        sorted[runs - 1]);
    if (Boolean.getBoolean("cim.keep")) {
      System.out.println("kept:    " + dir);
    } else {
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Runs the command once; returns the wall time in ms, or exits 1 when it fails. */
  private static double runOnce(List<String> command, Path dir, String what)
      throws IOException, InterruptedException {
    Path log = dir.resolve("analyze.log");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    long t0 = System.nanoTime();
    Process p = pb.start();
    int rc = p.waitFor();
    double ms = (System.nanoTime() - t0) / 1e6;
    if (rc != 0) {
      System.err.println("AnalyzeWallClock: " + what + " failed with exit code " + rc + ":");
      System.err.println(Files.readString(log, StandardCharsets.UTF_8));
      System.exit(1);
    }
    return ms;
  }

  /** The CausalImpact-mode workload of {@link EngineBenchmark} as a CSV with daily dates. */
  static void writeCsv(Path file) throws IOException {
    TimeSeriesTable t = BenchData.causalImpactTable(ROWS, START, 2.0, 42L);
    List<String> cols = List.of(BenchData.RESPONSE, "x1", "x2", "x3");
    double[][] v = new double[cols.size()][];
    for (int c = 0; c < cols.size(); c++) {
      v[c] = t.column(cols.get(c));
    }
    LocalDate day = LocalDate.of(2010, 1, 1);
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("date," + String.join(",", cols));
      w.newLine();
      for (int r = 0; r < ROWS; r++) {
        StringBuilder line = new StringBuilder(day.plusDays(r).toString());
        for (double[] col : v) {
          line.append(',').append(String.format(Locale.ROOT, "%.6f", col[r]));
        }
        w.write(line.toString());
        w.newLine();
      }
    }
  }
}
