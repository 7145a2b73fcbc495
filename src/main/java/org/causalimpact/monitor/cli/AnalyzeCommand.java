package org.causalimpact.monitor.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.Level;
import org.causalimpact.monitor.graph.Seasonality;
import org.causalimpact.monitor.impact.CausalImpactModel;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.ImpactAnalyzer;
import org.causalimpact.monitor.io.CsvTables;
import org.causalimpact.monitor.io.CsvTables.RawCsv;
import org.causalimpact.monitor.io.CsvTables.Roles;
import org.causalimpact.monitor.io.InterventionEvents;
import org.causalimpact.monitor.io.InterventionEvents.InterventionEvent;
import org.causalimpact.monitor.io.Periods;
import org.causalimpact.monitor.report.ImpactPlot;
import org.causalimpact.monitor.report.SummaryTable;
import org.causalimpact.monitor.report.WrittenReport;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.uncertainty.IntervalSettings;
import org.causalimpact.monitor.wire.AnalysisReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code analyze}: the impact of an intervention on a CSV file, in one of two modes.
 *
 * <ul>
 *   <li>CausalImpact mode ({@code --pre/--post}): the response and the covariates are columns of
 *       the file; the graph is every covariate → response ({@link CausalImpactModel}).
 *   <li>Graph mode ({@code --monitor --intervention}): the graph, the pre-window and the interval
 *       settings come from a monitor file, the intervention from an event (DESIGN.md).
 * </ul>
 */
@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Estimate the causal impact of an intervention from a CSV file.",
      "",
      "CausalImpact mode:  analyze --csv FILE --pre A:B --post C:D [options]",
      "  The first numeric column (or --response) is the response, the other numeric columns"
          + " (or --columns) are covariates. A:B are 0-based inclusive row indexes, row labels or"
          + " dates (START..END also works).",
      "Graph mode:         analyze --monitor config/monitors/X.yaml --csv FILE --intervention SPEC",
      "  SPEC is the intervention event JSON, inline, as a file path or @path.",
      ""
    })
final class AnalyzeCommand implements Callable<Integer> {
  enum Format {
    TEXT,
    JSON
  }

  @ParentCommand TopCommand parent;
  @Spec CommandSpec spec;

  @Option(names = "--csv", required = true, paramLabel = "FILE",
      description = "CSV file with a header line, or - for standard input.")
  String csv;

  @Option(names = "--pre", paramLabel = "A:B", description = "Pre-period (CausalImpact mode).")
  String pre;

  @Option(names = "--post", paramLabel = "C:D",
      description = "Post-period, starting right after the pre-period (CausalImpact mode).")
  String post;

  @Option(names = "--monitor", paramLabel = "YAML", description = "Monitor file (graph mode).")
  Path monitor;

  @Option(names = "--intervention", paramLabel = "SPEC",
      description = "Intervention event JSON, inline, a file path or @path (graph mode).")
  String intervention;

  @Option(names = "--time-column", paramLabel = "COL",
      description = "Column of row times/labels (default: the first non-numeric column).")
  String timeColumn;

  @Option(names = "--response", paramLabel = "COL",
      description = "Response column (default: the first numeric column).")
  String response;

  @Option(names = "--columns", split = ",", paramLabel = "A,B",
      description = "Covariate columns (default: every other numeric column).")
  List<String> columns;

  @Option(names = "--level", paramLabel = "P", description = "Interval level (default 0.95).")
  Double level;

  @Option(names = "--seasonality", paramLabel = "PERIOD[:HARMONICS]",
      description = "Fourier seasonality of the response; harmonics default to PERIOD/2.")
  String seasonality;

  @Option(names = "--ar", paramLabel = "P",
      description = "Own lags of the response (default 0), with covariate lags 0..P.")
  Integer ar;

  @Option(names = "--level-model", paramLabel = "auto|none|local|trend",
      description = "Stochastic level of the response's error (default auto: a level that may"
          + " drift and AR(1) noise, both learned from the pre-period; none: a static regression;"
          + " local: a level that always drifts; trend: a local linear trend).")
  String levelModel;

  @Option(names = "--lags", paramLabel = "L",
      description = "Lags 0..L of each covariate (default: the --ar order).")
  Integer lags;

  @Option(
      names = "--trend",
      description =
          "Put a linear trend in every model of the response's equation. The default level"
              + " model (auto) takes one by itself where the pre-period shows growth, except"
              + " with fewer than 5 pre-period rows a covariate (a synthetic control, where the"
              + " covariates are to carry the metric's course); give --trend for a metric known"
              + " to grow,"
              + " or with --level-model none or local, which never add one.")
  Boolean trend;

  @Option(names = "--bootstrap", paramLabel = "N",
      description = "Bootstrap replicates (default 1000, or the monitor's).")
  Integer bootstrap;

  @Option(names = "--block-length", paramLabel = "B",
      description = "Moving-block length; 0 = n^(1/3) (default).")
  Integer blockLength;

  @Option(names = "--calibration", paramLabel = "F",
      description = "Share of the pre-period used for conformal calibration (default 0.5).")
  Double calibration;

  @Option(names = "--ridge", paramLabel = "LAMBDA", description = "Ridge penalty (default 0).")
  Double ridge;

  @Option(names = "--outliers", paramLabel = "keep|replace", description = "Pre-period rows over"
      + " 6 robust sds from the fit's one-step prediction: name them in a note (keep; default, or"
      + " the monitor's model.outliers) or replace them by that prediction and fit again.")
  String outliers;

  @Option(names = "--seed", paramLabel = "S", description = "Random seed (default 1).")
  Long seed;

  @Option(names = "--format", paramLabel = "text|json", defaultValue = "text",
      description = "Report format (default text).")
  Format format;

  @Option(names = "--output", paramLabel = "FILE", description = "Write the report to FILE.")
  Path output;

  @Option(names = "--plot", paramLabel = "FILE.png",
      description = "Also draw the three classic panels to a PNG file.")
  Path plot;

  @Option(names = "--plot-outcome", paramLabel = "NODE",
      description = "Outcome to plot (default: the first).")
  String plotOutcome;

  @Option(names = "--plot-size", paramLabel = "WxH", defaultValue = "1000x900",
      description = "Plot size in pixels (default 1000x900).")
  String plotSize;

  /** The analysed table and its result. */
  private record Result(TimeSeriesTable table, ImpactAnalysis analysis) {}

  @Override
  public Integer call() {
    int[] size = AnalyzeChecks.plotSize(plotSize);
    Result r = monitor != null ? graphMode() : causalImpactMode();
    PrintWriter out = spec.commandLine().getOut();
    String report =
        format == Format.JSON
            ? AnalysisReport.render(r.analysis(), r.table())
            : SummaryTable.render(r.analysis(), r.table())
                + "\n"
                + WrittenReport.render(r.analysis(), r.table());
    // The plot first: if it fails (unknown --plot-outcome, unwritable path) nothing is printed.
    if (plot != null) {
      String node =
          plotOutcome != null ? plotOutcome : r.analysis().outcomes().get(0).node();
      ImpactPlot.write(r.analysis(), r.table(), node, plot, size[0], size[1]);
    }
    Outputs.write(output, report, out);
    return 0;
  }

  private Result causalImpactMode() {
    if (intervention != null) {
      throw new InputException(
          "--intervention needs --monitor (graph mode); in CausalImpact mode give --pre and"
              + " --post");
    }
    if (pre == null || post == null) {
      throw new InputException(
          "give --pre A:B and --post C:D (CausalImpact mode), or --monitor FILE and"
              + " --intervention SPEC (graph mode)");
    }
    RawCsv raw = CsvTables.read(csv, parent.stdin());
    Roles roles = CsvTables.roles(raw, timeColumn, response, columns);
    for (String c : roles.ignored()) {
      spec.commandLine()
          .getErr()
          .println("note: ignoring column '" + c + "' of " + raw.source() + ": it is not numeric");
    }
    TimeSeriesTable table = CsvTables.table(raw, roles);
    Periods periods = Periods.parse(pre, post, table.labels(), table.rows());
    AnalyzeChecks.requireNotARowIndex(table, roles.response(), response != null);
    AnalyzeChecks.requireVaryingResponse(table, roles.response(), periods);

    int p = ar == null ? 0 : ar;
    AnalyzeChecks.requireRange("--ar", p, 0, MonitorLoader.MAX_LAG);
    int l = lags == null ? p : lags;
    AnalyzeChecks.requireRange("--lags", l, 0, MonitorLoader.MAX_LAG);
    Seasonality season = seasonality == null ? null : AnalyzeChecks.parseSeasonality(seasonality);
    Level level = AnalyzeChecks.levelModel(levelModel);
    boolean withTrend = Boolean.TRUE.equals(trend);
    CausalGraph graph =
        AnalyzeChecks.invalidAsInput(
            () ->
                CausalImpactModel.graph(
                    roles.response(), roles.covariates(), p, l, season, withTrend, level));
    IntervalSettings settings = settings(IntervalSettings.defaults());
    FitOptions fit = AnalyzeChecks.fit(FitOptions.ols(), ridge, outliers);

    // Rows after the post-period play no part; rows before the pre-period may serve as lags.
    TimeSeriesTable slice = table.slice(0, periods.postEnd() + 1);
    Intervention iv =
        new Intervention(
            "post-period", Map.of(), List.of(roles.response()), periods.postStart(),
            periods.postEnd() + 1);
    ImpactAnalysis a =
        ImpactAnalyzer.withDefaults()
            .withFit(fit)
            .withIntervals(settings)
            .analyze(name(), graph, slice, periods.preStart(), iv);
    return new Result(slice, a);
  }

  private Result graphMode() {
    List<String> ciOnly = new ArrayList<>();
    addIf(ciOnly, pre, "--pre");
    addIf(ciOnly, post, "--post");
    addIf(ciOnly, response, "--response");
    addIf(ciOnly, columns, "--columns");
    addIf(ciOnly, seasonality, "--seasonality");
    addIf(ciOnly, ar, "--ar");
    addIf(ciOnly, lags, "--lags");
    addIf(ciOnly, trend, "--trend");
    addIf(ciOnly, levelModel, "--level-model");
    if (!ciOnly.isEmpty()) {
      throw new InputException(
          String.join(", ", ciOnly)
              + " apply to CausalImpact mode only; with --monitor the model comes from the"
              + " monitor file and the periods from --intervention");
    }
    if (intervention == null) {
      throw new InputException(
          "--monitor needs --intervention SPEC: the intervention event JSON, inline or as a file");
    }
    MonitorDefinition def = MonitorLoader.load(monitor);
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
    CausalGraph graph = def.graph();
    RawCsv raw = CsvTables.read(csv, parent.stdin());
    List<String> missing =
        graph.nodeNames().stream().filter(n -> !raw.header().contains(n)).toList();
    if (!missing.isEmpty()) {
      throw new InputException(
          raw.source()
              + " has no column for node"
              + (missing.size() == 1 ? " '" : "s '")
              + String.join("', '", missing)
              + "' of monitor '"
              + def.name()
              + "' (columns: "
              + String.join(", ", raw.header())
              + "): the file needs one column per node of the graph");
    }
    String time = CsvTables.timeColumn(raw, timeColumn);
    TimeSeriesTable table = CsvTables.table(raw, time, graph.nodeNames());
    Intervention iv = InterventionEvents.onTable(event, graph, table);

    List<String> notes = new ArrayList<>();
    int start = iv.start();
    int preStart = start - def.preWindow();
    if (preStart < 0) {
      if (start < Periods.MIN_PRE_ROWS) {
        throw new InputException(
            "intervention '"
                + event.id()
                + "' starts at row "
                + start
                + " ("
                + table.label(start)
                + "): the data has "
                + start
                + " rows before it, and at least "
                + Periods.MIN_PRE_ROWS
                + " are needed (the monitor's preWindow is "
                + def.preWindow()
                + ")");
      }
      notes.add(
          "the data has only "
              + start
              + " rows before the intervention, fewer than the monitor's preWindow of "
              + def.preWindow()
              + "; the model is fitted on those "
              + start
              + " rows");
      preStart = 0;
    }
    IntervalSettings settings = settings(def.intervals());
    FitOptions fit = AnalyzeChecks.fit(def.fit(), ridge, outliers);
    ImpactAnalysis a =
        ImpactAnalyzer.withDefaults()
            .withFit(fit)
            .withIntervals(settings)
            .analyze(def.name(), graph, table, preStart, iv);
    if (!notes.isEmpty()) {
      PrintWriter err = spec.commandLine().getErr();
      notes.forEach(n -> err.println("note: " + n));
      List<String> all = new ArrayList<>(notes);
      all.addAll(a.notes());
      a = a.withNotes(all);
    }
    int end = iv.endWithin(table.rows());
    return new Result(end < table.rows() ? table.slice(0, end) : table, a);
  }

  /** Interval settings: {@code base} with every option given on the command line applied. */
  private IntervalSettings settings(IntervalSettings base) {
    IntervalSettings s = base;
    if (level != null) {
      if (!(level > 0 && level < 1)) {
        throw new InputException("--level must be in (0, 1), e.g. 0.95; got " + level);
      }
      s = s.withLevel(level);
    }
    if (bootstrap != null) {
      AnalyzeChecks.requireRange("--bootstrap", bootstrap, 19, 1_000_000);
      s = s.withReplicates(bootstrap);
    }
    if (blockLength != null) {
      AnalyzeChecks.requireRange("--block-length", blockLength, 0, 1_000_000);
      s = s.withBlockLength(blockLength);
    }
    if (calibration != null) {
      if (!(calibration > 0 && calibration < 1)) {
        throw new InputException("--calibration must be in (0, 1), e.g. 0.5; got " + calibration);
      }
      s = s.withCalibrationFraction(calibration);
    }
    if (seed != null) {
      s = s.withSeed(seed);
    }
    return s;
  }

  private String name() {
    if ("-".equals(csv)) {
      return "stdin";
    }
    String file = Path.of(csv).getFileName().toString();
    int dot = file.lastIndexOf('.');
    return dot > 0 ? file.substring(0, dot) : file;
  }

  private static void addIf(List<String> list, Object value, String option) {
    if (value != null) {
      list.add(option);
    }
  }

}
