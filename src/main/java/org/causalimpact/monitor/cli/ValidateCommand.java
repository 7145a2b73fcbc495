package org.causalimpact.monitor.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.impact.ImpactAnalyzer;
import org.causalimpact.monitor.impact.ValidationStudy;
import org.causalimpact.monitor.io.InterventionEvents;
import org.causalimpact.monitor.io.TimeLabels;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.SimulationSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code validate}: a simulation study of the intervals. Replicates of simulate then analyze on a
 * monitor's true equations, with the intervention and with a placebo, report empirical coverage,
 * bias and false positives of both routes.
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description =
        "Simulation study: R replicates of simulate -> analyze with a known effect, and a placebo;"
            + " prints empirical coverage of the intervals (pointwise, cumulative; each route),"
            + " bias of the cumulative effect, the placebo false-positive rate and the Monte Carlo"
            + " error of a coverage.")
final class ValidateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--monitor", required = true, paramLabel = "YAML",
      description = "Monitor definition with a 'simulation' section.")
  Path monitor;

  @Option(names = "--intervention", required = true, paramLabel = "SPEC",
      description = "Intervention event JSON (inline, a path, or @path) with set/shift/scale do-specs.")
  String intervention;

  @Option(names = "--replicates", paramLabel = "R", defaultValue = "200",
      description = "Number of simulated data sets (default: ${DEFAULT-VALUE}).")
  int replicates;

  @Option(names = "--bootstrap", paramLabel = "N",
      description = "Bootstrap replicates per analysis (default: the monitor's).")
  Integer bootstrap;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
      description = "Seed of the study (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--start", paramLabel = "TIME", defaultValue = "2026-01-01T00:00:00Z",
      description = "Time of row 0 of the simulated data, as for simulate (default: ${DEFAULT-VALUE}).")
  String start;

  @Override
  public Integer call() {
    if (replicates < 1 || replicates > 100_000) {
      throw new InputException("--replicates must be between 1 and 100000; got " + replicates);
    }
    MonitorDefinition def = MonitorLoader.load(monitor);
    SimulationSpec sim = def.simulation();
    if (sim == null) {
      throw new InputException(
          monitor + " has no 'simulation' section: validate needs the true equations");
    }
    Instant t0 =
        TimeLabels.parseTimestamp(start)
            .orElseThrow(
                () ->
                    new InputException(
                        "--start '" + start + "' is not a time; use e.g. 2026-01-01T00:00:00Z"));
    InterventionEvents.InterventionEvent event = InterventionEvents.read(intervention);
    Intervention iv =
        InterventionEvents.onGrid(event, def.graph(), t0, def.step(), sim.rows());
    if (iv.actions().isEmpty()) {
      throw new InputException("validate needs an intervention with a do-spec to inject");
    }
    var settings = def.intervals();
    if (bootstrap != null) {
      settings = settings.withReplicates(bootstrap);
    }
    ImpactAnalyzer analyzer =
        ImpactAnalyzer.withDefaults().withFit(def.fit()).withIntervals(settings);
    PrintWriter err = spec.commandLine().getErr();
    long began = System.nanoTime();
    int every = Math.max(1, replicates / 10);
    ValidationStudy.Result r =
        ValidationStudy.run(
            def.graph(),
            sim,
            iv,
            def.preWindow(),
            analyzer,
            replicates,
            seed,
            done -> {
              if (done % every == 0 || done == replicates) {
                err.printf(
                    Locale.ROOT,
                    "validate: %d/%d replicates (%.0f s)%n",
                    done,
                    replicates,
                    (System.nanoTime() - began) / 1e9);
                err.flush();
              }
            });
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        Locale.ROOT,
        "Simulation study: monitor %s, intervention %s, %d replicates, seed %d, level %.3g%n%n",
        def.name(),
        event.id(),
        r.replicates(),
        seed,
        settings.level());
    out.printf(Locale.ROOT, "%-34s %10s %10s%n", "", "conformal", "bootstrap");
    row(out, "coverage, pointwise effect", r.conformal().pointwise(), r.bootstrap().pointwise());
    row(out, "  of which unbounded", r.conformal().pointwiseUnbounded(),
        r.bootstrap().pointwiseUnbounded());
    row(out, "coverage, cumulative effect", r.conformal().cumulative(), r.bootstrap().cumulative());
    row(out, "  of which unbounded", r.conformal().cumulativeUnbounded(),
        r.bootstrap().cumulativeUnbounded());
    row(out, "coverage, average effect (summary)", r.conformal().average(), r.bootstrap().average());
    out.printf(
        Locale.ROOT,
        "%-34s %10.4g %10.4g%n",
        "  mean width of the average's",
        r.conformal().averageWidth(),
        r.bootstrap().averageWidth());
    row(out, "  of which unbounded", r.conformal().averageUnbounded(),
        r.bootstrap().averageUnbounded());
    row(out, "placebo false-positive rate", r.conformal().placeboFalsePositive(),
        r.bootstrap().placeboFalsePositive());
    out.printf(
        Locale.ROOT,
        "%nMonte Carlo error of a coverage near %.0f%%: %.1f points (binomial s.e., %d"
            + " replicates)%n",
        100 * settings.level(),
        100 * monteCarloError(settings.level(), r.replicates()),
        r.replicates());
    out.printf(
        Locale.ROOT,
        "%ncumulative effect: true %.6g, estimated %.6g, relative bias %+.2f%%%n",
        r.trueCumulative(),
        r.meanCumulativeEstimate(),
        100 * r.relativeBias());
    out.printf(
        Locale.ROOT,
        "expected (do-operator) effect: bootstrap coverage %.1f%% pointwise, %.1f%% of the"
            + " average%n",
        100 * r.expectedEffectCoverage(),
        100 * r.expectedAverageCoverage());
    out.flush();
    return 0;
  }

  /** The binomial standard error of a proportion {@code p} estimated from {@code n} trials. */
  static double monteCarloError(double p, int n) {
    return Math.sqrt(p * (1 - p) / n);
  }

  private static void row(PrintWriter out, String label, double conformal, double bootstrap) {
    out.printf(Locale.ROOT, "%-34s %9.1f%% %9.1f%%%n", label, 100 * conformal, 100 * bootstrap);
  }
}
