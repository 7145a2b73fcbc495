package org.causalimpact.monitor.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.ArrayList;
import java.util.List;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.OutcomeImpact;
import org.causalimpact.monitor.impact.PeriodSummary;
import org.causalimpact.monitor.impact.PrePeriodFit;
import org.causalimpact.monitor.impact.StepImpact;
import org.causalimpact.monitor.impact.Summary;
import org.causalimpact.monitor.scm.CausalEffect;
import org.causalimpact.monitor.scm.EquationSummary;
import org.causalimpact.monitor.scm.TimeSeriesTable;

/**
 * An analysis as JSON, schema version {@value #SCHEMA}: the {@code analyze --format json} report,
 * the body of an intervention's summary record and of the API's intervention report. Fields in
 * the order declared, so that diffs of reports stay readable.
 *
 * <pre>{@code
 * {"schema": 1, "monitor", "intervention", "level",
 *  "prePeriod": {"start", "end", "startLabel", "endLabel"}, "postPeriod": {...},
 *  "outcome": first outcome, "summary": its summary, "series": its steps,
 *  "outcomes": [{"node", "summary", "series", "preSeries"}, ...],
 *  "model": {"equations": [...], "effects": [...]}, "notes": [...]}
 * }</pre>
 *
 * An interval is {@code [lower, upper]}; an unbounded side is {@code null} (too few calibration
 * points for the level). A number that is not finite (the relative effect when the prediction is
 * 0) is {@code null}. An interval a route does not give is left out. Period ends are inclusive.
 */
public record AnalysisReport(
    int schema,
    String monitor,
    String intervention,
    Double level,
    Period prePeriod,
    Period postPeriod,
    @JsonInclude(JsonInclude.Include.NON_NULL) String outcome,
    @JsonInclude(JsonInclude.Include.NON_NULL) SummaryJson summary,
    @JsonInclude(JsonInclude.Include.NON_NULL) List<Step> series,
    List<Outcome> outcomes,
    Model model,
    List<String> notes) {
  /** Version of every record's schema. */
  public static final int SCHEMA = 1;

  /**
   * The report of an analysis.
   *
   * @param table the analysed table, for period labels; may be {@code null}
   */
  public static AnalysisReport of(ImpactAnalysis a, TimeSeriesTable table) {
    List<Outcome> outcomes = new ArrayList<>();
    for (OutcomeImpact o : a.outcomes()) {
      outcomes.add(
          new Outcome(
              o.node(),
              a.isPlacebo(o.node()),
              SummaryJson.of(o.summary()),
              Step.all(o),
              a.preFit(o.node()).map(f -> PreStep.all(f, table)).orElse(null)));
    }
    Outcome first = outcomes.isEmpty() ? null : outcomes.get(0);
    return new AnalysisReport(
        SCHEMA,
        a.monitor(),
        a.intervention(),
        EstimateJson.finite(a.level()),
        Period.of(a.preStart(), a.postStart() - 1, table),
        Period.of(a.postStart(), a.postEnd() - 1, table),
        first == null ? null : first.node(),
        first == null ? null : first.summary(),
        first == null ? null : first.series(),
        outcomes,
        Model.of(a.equations(), a.effects()),
        a.notes());
  }

  /**
   * This report without its per-step series (the summary record's body): its size depends on the
   * graph and the outcomes, not on how many post-period rows there are.
   */
  public AnalysisReport withoutSeries() {
    List<Outcome> bare =
        outcomes.stream().map(o -> o.with(null, null)).toList();
    return new AnalysisReport(
        schema, monitor, intervention, level, prePeriod, postPeriod, outcome, summary, null, bare,
        model, notes);
  }

  /**
   * This report with each outcome's series set to {@code series} (one list per outcome, in the
   * report's order), copied.
   */
  public AnalysisReport withSeries(List<List<Step>> series) {
    List<Outcome> full = new ArrayList<>();
    for (int o = 0; o < outcomes.size(); o++) {
      Outcome out = outcomes.get(o);
      full.add(out.with(List.copyOf(series.get(o)), out.preSeries()));
    }
    List<Step> first = full.isEmpty() ? null : full.get(0).series();
    return new AnalysisReport(
        schema, monitor, intervention, level, prePeriod, postPeriod, outcome, summary, first, full,
        model, notes);
  }

  /** This report with {@code note} after its notes. */
  public AnalysisReport withNote(String note) {
    List<String> more = new ArrayList<>(notes);
    more.add(note);
    return new AnalysisReport(
        schema, monitor, intervention, level, prePeriod, postPeriod, outcome, summary, series,
        outcomes, model, List.copyOf(more));
  }

  /** The report as pretty-printed JSON text, ending in a newline. */
  public static String render(ImpactAnalysis a, TimeSeriesTable table) {
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(of(a, table)) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an analysis report", e);
    }
  }

  /**
   * The standard deviation of a period's relative effect: the effect's over the magnitude of the
   * prediction; NaN when the prediction is 0. The summary table prints the same number.
   */
  public static double relativeSd(PeriodSummary p) {
    double m = Math.abs(p.predicted().mean());
    return m > 0 ? p.effectSd() / m : Double.NaN;
  }

  /** Rows {@code start..end}, inclusive, with their labels when the table has them. */
  public record Period(int start, int end, String startLabel, String endLabel) {
    static Period of(int start, int end, TimeSeriesTable table) {
      boolean labelled =
          table != null && table.labels() != null && start >= 0 && end < table.rows();
      return new Period(
          start, end, labelled ? table.label(start) : null, labelled ? table.label(end) : null);
    }
  }

  /**
   * One outcome's summary and steps ({@code series} left out of a summary record), and its
   * pre-period rows ({@code preSeries}: left out of a summary record and of the API's intervention
   * report, which serves them apart, and absent where the analysis has no pre-period fit). {@code
   * placebo}: the intervention's do() cannot reach the outcome, so its "effect" is the model's
   * prediction error, a check of the model and not an effect (a note says so too).
   */
  public record Outcome(
      String node,
      boolean placebo,
      SummaryJson summary,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<Step> series,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<PreStep> preSeries) {
    /** This outcome with other steps and pre-period rows. */
    public Outcome with(List<Step> series, List<PreStep> preSeries) {
      return new Outcome(node, placebo, summary, series, preSeries);
    }
  }

  /**
   * One pre-period row of an outcome: {@code row, time, actual}, and {@code fitted}, the fitted
   * equation's in-sample one-step-ahead prediction ({@code null} for a row that only serves as a
   * lag of the fit).
   */
  public record PreStep(int row, String time, Double actual, Double fitted) {
    static List<PreStep> all(PrePeriodFit f, TimeSeriesTable table) {
      List<PreStep> out = new ArrayList<>(f.rows());
      for (int i = 0; i < f.rows(); i++) {
        int row = f.startRow() + i;
        String time =
            table != null && table.labels() != null && row < table.rows()
                ? table.label(row)
                : Integer.toString(row);
        out.add(
            new PreStep(
                row, time, EstimateJson.finite(f.actual(i)), EstimateJson.finite(f.fitted(i))));
      }
      return List.copyOf(out);
    }
  }

  /** An outcome's summary over the post-period. */
  public record SummaryJson(
      PeriodJson average,
      PeriodJson cumulative,
      PValues pValue,
      OneMinusP effectProbability,
      Significant significant) {
    static SummaryJson of(Summary s) {
      return new SummaryJson(
          PeriodJson.of(s.average()),
          PeriodJson.of(s.cumulative()),
          new PValues(
              EstimateJson.finite(s.pValueBootstrap()),
              EstimateJson.finite(s.pValueConformal()),
              s.conformalTest() == null ? null : s.conformalTest().key()),
          new OneMinusP(
              EstimateJson.finite(1 - s.pValueBootstrap()),
              s.pValueConformal() == null ? null : EstimateJson.finite(1 - s.pValueConformal())),
          new Significant(s.significantBootstrap(), s.significantConformal()));
    }
  }

  /**
   * {@code 1 - p} of each route: what R's CausalImpact reports as the "posterior probability of a
   * causal effect". Our p-values are two-sided and frequentist, so this is no posterior
   * probability; {@code null} where the route has no p-value.
   */
  public record OneMinusP(Double bootstrap, Double conformal) {}

  /**
   * The two routes' p-values, both two-sided, and the method of the conformal one ({@code
   * normalised-rank} or {@code permutation}; absent with no conformal p-value).
   */
  public record PValues(
      Double bootstrap,
      Double conformal,
      @JsonInclude(JsonInclude.Include.NON_NULL) String conformalMethod) {}

  /** Whether each route's interval of the average effect excludes zero. */
  public record Significant(boolean bootstrap, boolean conformal) {}

  /** The average or the cumulative effect over the post-period. */
  public record PeriodJson(
      Double actual,
      EstimateJson.WithSd predicted,
      EstimateJson.WithSd effect,
      EstimateJson.WithSd relative,
      @JsonInclude(JsonInclude.Include.NON_NULL) EstimateJson expectedEffect) {
    static PeriodJson of(PeriodSummary p) {
      return new PeriodJson(
          EstimateJson.finite(p.actual()),
          EstimateJson.WithSd.of(p.predicted(), p.predictedSd()),
          EstimateJson.WithSd.of(p.effect(), p.effectSd()),
          EstimateJson.WithSd.of(p.relative(), relativeSd(p)),
          EstimateJson.of(p.expectedEffect()));
    }
  }

  /**
   * One post-period row of an outcome: {@code row, time, step, actual, counterfactual, expected,
   * effect, expectedEffect, cumulative, relative}; also the body of a streamed impact record.
   */
  public record Step(
      int row,
      String time,
      int step,
      Double actual,
      EstimateJson counterfactual,
      @JsonInclude(JsonInclude.Include.NON_NULL) EstimateJson expected,
      EstimateJson effect,
      @JsonInclude(JsonInclude.Include.NON_NULL) EstimateJson expectedEffect,
      EstimateJson cumulative,
      Double relative) {
    public static Step of(StepImpact s) {
      return new Step(
          s.row(),
          s.label(),
          s.step(),
          EstimateJson.finite(s.actual()),
          EstimateJson.of(s.counterfactual()),
          EstimateJson.of(s.expected()),
          EstimateJson.of(s.effect()),
          EstimateJson.of(s.expectedEffect()),
          EstimateJson.of(s.cumulative()),
          EstimateJson.finite(s.relative()));
    }

    static List<Step> all(OutcomeImpact o) {
      return o.series().stream().map(Step::of).toList();
    }
  }

  /** The fitted equations and the total effects. */
  public record Model(List<Equation> equations, List<Effect> effects) {
    public static Model of(List<EquationSummary> equations, List<CausalEffect> effects) {
      return new Model(
          equations.stream().map(Equation::of).toList(),
          effects.stream().map(Effect::of).toList());
    }
  }

  /**
   * One node's fitted equation: its error's stochastic level ({@code error}, absent for white
   * noise) and, when its parent terms were selected, each term's posterior inclusion probability
   * ({@code inclusion}, absent otherwise), and when a model with every parent term shrunk was in
   * the posterior, its probability ({@code shrunk}).
   */
  public record Equation(
      String node,
      List<String> terms,
      List<Double> coefficients,
      Double sigma,
      Double rSquared,
      int observations,
      @JsonInclude(JsonInclude.Include.NON_NULL) Error error,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<Double> inclusion,
      @JsonInclude(JsonInclude.Include.NON_NULL) Double shrunk) {
    static Equation of(EquationSummary e) {
      List<Double> coefficients = new ArrayList<>();
      e.coefficients().forEach(c -> coefficients.add(EstimateJson.finite(c)));
      List<Double> inclusion = null;
      if (e.inclusion() != null) {
        inclusion = new ArrayList<>();
        for (double w : e.inclusion()) {
          inclusion.add(EstimateJson.finite(w));
        }
      }
      return new Equation(
          e.node(),
          e.terms(),
          coefficients,
          EstimateJson.finite(e.sigma()),
          EstimateJson.finite(e.rSquared()),
          e.observations(),
          e.error() == null ? null : Error.of(e.error()),
          inclusion,
          e.shrunk() == null ? null : EstimateJson.finite(e.shrunk()));
    }
  }

  /**
   * The error's level: the model, the level's (and slope's) drift per step as a standard
   * deviation in the node's units with the 5% and 95% posterior quantiles of the level's, the
   * AR(1) coefficient of the noise, and how many grid components the posterior keeps.
   */
  public record Error(
      String model,
      Double levelSd,
      Double levelSdLow,
      Double levelSdHigh,
      Double slopeSd,
      Double noiseAr,
      int components) {
    static Error of(EquationSummary.ErrorSummary e) {
      return new Error(
          e.model(),
          EstimateJson.finite(e.levelSd()),
          EstimateJson.finite(e.levelSdLow()),
          EstimateJson.finite(e.levelSdHigh()),
          EstimateJson.finite(e.slopeSd()),
          EstimateJson.finite(e.noiseAr()),
          e.components());
    }
  }

  /** The direct and total effect of a cause on an outcome, and its share. */
  public record Effect(
      String cause, String outcome, Double direct, Double total, Double contribution) {
    static Effect of(CausalEffect e) {
      return new Effect(
          e.cause(),
          e.outcome(),
          EstimateJson.finite(e.direct()),
          EstimateJson.finite(e.total()),
          EstimateJson.finite(e.contribution()));
    }
  }
}
