package org.causalimpact.monitor.cli;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.app.AppSettings;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.demo.PointProducer;
import org.causalimpact.monitor.demo.PointReplay;
import org.causalimpact.monitor.demo.PointSimulation;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.io.InterventionEvents;
import org.causalimpact.monitor.io.InterventionEvents.InterventionEvent;
import org.causalimpact.monitor.io.TimeLabels;
import org.causalimpact.monitor.live.TopologySettings;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DataSimulator.SimulatedData;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.SimulationSpec;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code simulate}: draws data from a monitor's true equations (its {@code simulation} section),
 * optionally with an intervention whose effect is therefore known, as CSV with an ISO-8601 {@code
 * timestamp} column on the monitor's grid. The true average effect per outcome goes to standard
 * error so that standard output stays clean CSV for {@code analyze --csv -}.
 *
 * <p>With {@code --to-kafka} the rows go to Kafka instead, as the {@code demo}'s simulator sends
 * them (see {@link PointReplay}): one metric point per node per row, the intervention's start and
 * end events, then a few rows past the end so that the last rows close.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Draw CSV data from a monitor's simulation equations, with a known intervention effect.",
      "",
      "  simulate --monitor config/monitors/demo.yaml \\",
      "      --intervention config/interventions/demo-campaign.json > demo.csv",
      "  simulate --monitor config/monitors/demo.yaml \\",
      "      --intervention config/interventions/demo-campaign.json \\",
      "      --to-kafka localhost:9092 --speed 10",
      ""
    })
final class SimulateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--monitor", required = true, paramLabel = "YAML",
      description = "Monitor file with a 'simulation' section.")
  Path monitor;

  @Option(names = "--intervention", paramLabel = "SPEC",
      description = "Intervention event JSON, inline, a file path or @path (default: none).")
  String intervention;

  @Option(names = "--rows", paramLabel = "N",
      description = "Number of rows (default: the monitor's simulation.rows).")
  Integer rows;

  @Option(names = "--seed", paramLabel = "S", description = "Random seed (default: the monitor's).")
  Long seed;

  @Option(names = "--start", paramLabel = "TIME", defaultValue = "2026-01-01T00:00:00Z",
      description = "Time of the first row (default 2026-01-01T00:00:00Z).")
  String start;

  @Option(names = "--output", paramLabel = "FILE", description = "Write the CSV to FILE.")
  Path output;

  @Option(names = "--to-kafka", paramLabel = "BOOTSTRAP",
      description = "Send the rows to Kafka at BOOTSTRAP (host:port,...) instead of writing CSV:"
          + " metric points and intervention events, as the demo's simulator does.")
  String toKafka;

  @Option(names = "--speed", paramLabel = "STEPS", defaultValue = "0",
      description = "With --to-kafka: simulated steps per second of wall time; 0 = as fast as"
          + " possible (default ${DEFAULT-VALUE}).")
  double speed;

  @Option(names = "--campaign-speed", paramLabel = "STEPS",
      description = "With --to-kafka: steps per second from the intervention's start to its end"
          + " (default: --speed); e.g. a fast pre-period and a campaign slow enough to watch.")
  Double campaignSpeed;

  @Option(names = "--config", paramLabel = "FILE",
      description = "With --to-kafka: settings file for topic names and client security settings"
          + " (CIM_* environment variables apply too; see 'run --help').")
  Path config;

  /** The environment the Kafka settings are read from; tests replace it. */
  Map<String, String> environment = System.getenv();

  @Override
  public Integer call() throws InterruptedException {
    if (toKafka != null) {
      return toKafka();
    }
    if (config != null || speed != 0 || campaignSpeed != null) {
      throw new InputException(
          "--config, --speed and --campaign-speed apply only with --to-kafka");
    }
    MonitorDefinition def = MonitorLoader.load(monitor);
    SimulationSpec base = def.simulation();
    if (base == null) {
      throw new InputException(
          monitor
              + " has no 'simulation' section: add the true equation of every node under"
              + " 'simulation: equations:' (see config/monitors/demo.yaml)");
    }
    int n = rows == null ? base.rows() : rows;
    if (n < 3 || n > 10_000_000) {
      throw new InputException("--rows must be between 3 and 10000000; got " + n);
    }
    Instant t0 =
        TimeLabels.parseTimestamp(start)
            .orElseThrow(
                () ->
                    new InputException(
                        "--start '" + start + "' is not a time; use e.g. 2026-01-01T00:00:00Z"));
    Duration step = def.step();
    CausalGraph graph = def.graph();
    Intervention iv = null;
    String id = null;
    if (intervention != null) {
      InterventionEvent event = InterventionEvents.read(intervention);
      if (event.monitor() != null && !event.monitor().equals(def.name())) {
        throw new InputException(
            "the intervention event is addressed to monitor '"
                + event.monitor()
                + "' but "
                + monitor
                + " defines monitor '"
                + def.name()
                + "'");
      }
      iv = InterventionEvents.onGrid(event, graph, t0, step, n);
      id = event.id();
    }
    long s = seed == null ? def.intervals().seed() : seed;
    SimulatedData data =
        DataSimulator.simulate(graph, new SimulationSpec(n, base.equations()), iv, s);
    Outputs.write(output, csv(data.table(), t0, step), spec.commandLine().getOut());

    if (iv != null) {
      PrintWriter err = spec.commandLine().getErr();
      List<String> outcomes = new ArrayList<>(iv.outcomes());
      if (outcomes.isEmpty()) {
        outcomes.addAll(graph.descendants(iv.actions().keySet()));
      }
      int from = iv.start();
      int to = iv.endWithin(n);
      for (String node : outcomes) {
        double sum = 0;
        for (int t = from; t < to; t++) {
          sum += data.trueEffect(node, t);
        }
        err.println(
            "true average effect of "
                + id
                + " on "
                + node
                + ": "
                + sixDigits(sum / (to - from))
                + " (rows "
                + from
                + "–"
                + (to - 1)
                + ")");
      }
      err.flush();
    }
    return 0;
  }

  private int toKafka() throws InterruptedException {
    if (output != null) {
      throw new InputException("--output writes CSV; it cannot be combined with --to-kafka");
    }
    if (toKafka.isBlank()) {
      throw new InputException("--to-kafka needs bootstrap servers, e.g. localhost:9092");
    }
    if (!(speed >= 0) || Double.isInfinite(speed)) {
      throw new InputException("--speed must be a number of steps per second >= 0, got " + speed);
    }
    double duringCampaign = campaignSpeed == null ? speed : campaignSpeed;
    if (!(duringCampaign >= 0) || Double.isInfinite(duringCampaign)) {
      throw new InputException(
          "--campaign-speed must be a number of steps per second >= 0, got " + campaignSpeed);
    }
    MonitorDefinition def = MonitorLoader.load(monitor);
    int n = rows == null ? (def.simulation() == null ? 0 : def.simulation().rows()) : rows;
    Instant t0 =
        TimeLabels.parseTimestamp(start)
            .orElseThrow(
                () ->
                    new InputException(
                        "--start '" + start + "' is not a time; use e.g. 2026-01-01T00:00:00Z"));
    InterventionEvent event = intervention == null ? null : InterventionEvents.read(intervention);
    AppSettings configs =
        AppSettings.load(config, environment)
            .with(AppSettings.BOOTSTRAP_SERVERS, toKafka.strip());
    TopologySettings settings = configs.topology();
    long s = seed == null ? def.intervals().seed() : seed;
    PointSimulation sim = PointSimulation.of(def, event, n, s, t0, settings.grace());
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long begin = System.nanoTime();
    PointReplay.Result result;
    try (PointProducer producer = PointProducer.create(configs.producer(), settings)) {
      result =
          sim.replay()
              .run(
                  producer,
                  speed,
                  duringCampaign,
                  null,
                  () -> false,
                  new PointReplay.Listener() {
                    @Override
                    public void started(int row, Instant time) {
                      out.println("start event of " + event.id() + " sent at " + time
                          + " (row " + row + ")");
                      out.flush();
                    }

                    @Override
                    public void ended(int row, Instant time) {
                      out.println("end event of " + event.id() + " sent at " + time
                          + " (row " + row + ")");
                      out.flush();
                    }
                  });
      out.println(
          "sent "
              + result.rows()
              + " rows ("
              + producer.points()
              + " points to "
              + settings.metricsTopic()
              + ", "
              + producer.events()
              + " events to "
              + settings.interventionsTopic()
              + ") to "
              + toKafka.strip()
              + String.format(java.util.Locale.ROOT, " in %.1f s", (System.nanoTime() - begin) / 1e9));
      out.flush();
    } catch (org.apache.kafka.common.KafkaException | IllegalStateException e) {
      throw new InputException(
          "cannot send to Kafka at " + toKafka.strip() + ": " + e.getMessage(), e);
    }
    if (event != null && result.startRow() >= 0) {
      int from = result.startRow();
      int to = result.endRow();
      for (String node : sim.outcomes()) {
        err.println(
            "true average effect of "
                + event.id()
                + " on "
                + node
                + ": "
                + sixDigits(sim.trueAverageEffect(node, from, to))
                + " (rows "
                + from
                + "–"
                + (to - 1)
                + ")");
      }
      err.flush();
    }
    return 0;
  }

  /** {@code timestamp,node1,node2,...} with one row per grid step. */
  static String csv(TimeSeriesTable table, Instant t0, Duration step) {
    StringBuilder sb = new StringBuilder(table.rows() * 16 * (table.columns().size() + 1));
    sb.append("timestamp");
    for (String c : table.columns()) {
      sb.append(',').append(c);
    }
    sb.append('\n');
    double[][] v = new double[table.columns().size()][];
    for (int c = 0; c < v.length; c++) {
      v[c] = table.column(table.columns().get(c));
    }
    for (int t = 0; t < table.rows(); t++) {
      sb.append(t0.plus(step.multipliedBy(t)));
      for (double[] col : v) {
        sb.append(',').append(col[t]);
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static String sixDigits(double x) {
    if (!Double.isFinite(x)) {
      return Double.toString(x);
    }
    return new BigDecimal(x).round(new MathContext(6)).stripTrailingZeros().toPlainString();
  }
}
