package org.causalimpact.monitor.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.impact.WhatIf;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.uncertainty.IntervalSettings;

/**
 * The JSON bodies of the API, schema {@value AnalysisReport#SCHEMA}, each a record whose fields
 * are written in the order declared. Conventions of the analysis report: an interval is {@code
 * [lower, upper]} with {@code null} for an unbounded side; a number that is not finite is {@code
 * null}; an interval a route does not give is left out. Times are ISO-8601 instants, durations
 * ISO-8601 durations.
 */
public final class ApiViews {
  private ApiViews() {}

  /** {@code GET /api/monitors}. */
  public record MonitorList(int schema, List<MonitorSummary> monitors) {
    public MonitorList(List<MonitorSummary> monitors) {
      this(AnalysisReport.SCHEMA, monitors);
    }
  }

  /** {@code GET /api/monitors/{m}/interventions}: every intervention the monitor knows. */
  public record InterventionList(int schema, String monitor, List<InterventionView> interventions) {
    public InterventionList(String monitor, List<InterventionView> interventions) {
      this(AnalysisReport.SCHEMA, monitor, interventions);
    }
  }

  /** One entry of {@link MonitorList}. */
  public record MonitorSummary(
      String name,
      String step,
      Double stepSeconds,
      int preWindow,
      List<String> nodes,
      String lastClosed,
      int openSteps,
      List<String> activeInterventions) {
    public static MonitorSummary of(
        MonitorDefinition d, Instant lastClosed, int openSteps, List<String> active) {
      return new MonitorSummary(
          d.name(),
          d.step().toString(),
          seconds(d.step()),
          d.preWindow(),
          d.graph().nodeNames(),
          time(lastClosed),
          openSteps,
          active);
    }
  }

  /** {@code GET /api/monitors/{m}}. */
  public record MonitorDetail(
      int schema,
      String name,
      String step,
      Double stepSeconds,
      int preWindow,
      String lastClosed,
      int openSteps,
      Graph graph,
      Settings settings,
      Fit fit,
      @JsonInclude(JsonInclude.Include.NON_NULL) String fitUnavailable,
      List<InterventionView> interventions) {
    /**
     * @param fit the fit of the live model, or {@code null}
     * @param fitUnavailable why there is no fit, or {@code null}
     */
    public static MonitorDetail of(
        MonitorDefinition d,
        Instant lastClosed,
        int openSteps,
        Fit fit,
        String fitUnavailable,
        List<InterventionView> interventions) {
      return new MonitorDetail(
          AnalysisReport.SCHEMA,
          d.name(),
          d.step().toString(),
          seconds(d.step()),
          d.preWindow(),
          time(lastClosed),
          openSteps,
          Graph.of(d),
          Settings.of(d),
          fit,
          fitUnavailable,
          interventions);
    }
  }

  /** The graph as configured: per node its parents with their largest lag, ar, seasonality. */
  public record Graph(List<Node> nodes) {
    static Graph of(MonitorDefinition d) {
      return new Graph(d.graph().nodes().stream().map(Node::of).toList());
    }
  }

  /** One node of {@link Graph}; {@code seasonality} {@code null} without one. */
  public record Node(
      String name,
      List<Parent> parents,
      int ar,
      Seasonality seasonality,
      boolean trend,
      String aggregation) {
    static Node of(NodeDefinition nd) {
      return new Node(
          nd.name(),
          nd.parents().stream().map(p -> new Parent(p.node(), p.maxLag())).toList(),
          nd.arOrder(),
          nd.seasonality() == null
              ? null
              : new Seasonality(
                  EstimateJson.finite(nd.seasonality().period()), nd.seasonality().harmonics()),
          nd.trend(),
          nd.aggregation().toString());
    }
  }

  /** A parent and its largest lag. */
  public record Parent(String node, int lags) {}

  /** A seasonal component: its period in steps and its harmonics. */
  public record Seasonality(Double period, int harmonics) {}

  /** The monitor's fit and interval settings. */
  public record Settings(Double ridge, Intervals intervals) {
    static Settings of(MonitorDefinition d) {
      IntervalSettings i = d.intervals();
      return new Settings(
          EstimateJson.finite(d.fit().ridge()),
          new Intervals(
              EstimateJson.finite(i.level()),
              i.replicates(),
              i.blockLength(),
              EstimateJson.finite(i.calibrationFraction()),
              i.seed()));
    }
  }

  /** {@link IntervalSettings} as the API shows them. */
  public record Intervals(
      Double level, int replicates, int blockLength, Double calibrationFraction, long seed) {}

  /**
   * The live model fitted on the last rows.
   *
   * @param overlapsInterventions interventions that ran during these rows
   */
  public record Fit(
      int rows,
      String from,
      String to,
      List<AnalysisReport.Equation> equations,
      List<AnalysisReport.Effect> effects,
      List<String> overlapsInterventions) {}

  /** An intervention as the monitor knows it. */
  public record InterventionView(
      String id,
      boolean active,
      String state,
      String start,
      String end,
      @JsonProperty("do") Map<String, DoSpec> actions,
      List<String> outcomes,
      long stepsReported) {
    /**
     * @param state {@code pending}, {@code active}, {@code ended}, {@code cancelled} or {@code
     *     failed}
     * @param start first post-period step's start time
     * @param end end time (exclusive), or {@code null} while it runs without a known end
     */
    public static InterventionView of(
        String id,
        boolean active,
        String state,
        Instant start,
        Instant end,
        Map<String, DoSpec> actions,
        List<String> outcomes,
        long stepsReported) {
      return new InterventionView(
          id, active, state, time(start), time(end), actions, outcomes, stepsReported);
    }
  }

  /**
   * {@code GET /api/monitors/{m}/interventions/{id}}: the status, and the analysis report of its
   * rows so far, or {@code null} and why not. The report's summaries, model and notes are always
   * whole; its series (the first outcome's and each outcome's) hold one {@link Page} of steps.
   */
  public record InterventionDetail(
      int schema,
      String monitor,
      InterventionView status,
      AnalysisReport report,
      @JsonInclude(JsonInclude.Include.NON_NULL) Page page,
      @JsonInclude(JsonInclude.Include.NON_NULL) String reportUnavailable) {
    /**
     * @param report the whole report, or {@code null}
     * @param since steps up to this one are left out of the series
     * @param limit most steps in the series
     * @param unavailable why there is no report, or {@code null}
     */
    public static InterventionDetail of(
        String monitor,
        InterventionView status,
        AnalysisReport report,
        int since,
        int limit,
        String unavailable) {
      if (report == null) {
        return new InterventionDetail(
            AnalysisReport.SCHEMA, monitor, status, null, null, unavailable);
      }
      int total = report.outcomes().isEmpty() ? 0 : report.outcomes().get(0).series().size();
      int from = Math.min(since, total);
      int to = (int) Math.min(total, (long) from + limit);
      List<AnalysisReport.Outcome> outcomes =
          report.outcomes().stream()
              .map(o -> o.with(List.copyOf(o.series().subList(from, to)), null))
              .toList();
      AnalysisReport paged =
          new AnalysisReport(
              report.schema(),
              report.monitor(),
              report.intervention(),
              report.level(),
              report.prePeriod(),
              report.postPeriod(),
              report.outcome(),
              report.summary(),
              outcomes.isEmpty() ? report.series() : outcomes.get(0).series(),
              outcomes,
              report.model(),
              report.notes());
      return new InterventionDetail(
          AnalysisReport.SCHEMA,
          monitor,
          status,
          paged,
          new Page(since, limit, to - from, total, to < total ? to : null),
          unavailable);
    }
  }

  /**
   * Which steps of an intervention's series a response holds: those after step {@code since},
   * at most {@code limit} of them ({@code steps}), of {@code total} reported; {@code next} is the
   * {@code since} of the following page, {@code null} on the last one.
   */
  public record Page(int since, int limit, int steps, int total, Integer next) {}

  /** {@code POST /api/monitors/{m}/whatif}: the forecast of both worlds and their difference. */
  public record WhatIfForecast(
      int schema,
      String monitor,
      Double level,
      int horizon,
      Map<String, DoSpec> baseline,
      Map<String, DoSpec> scenario,
      History history,
      List<OutcomeForecast> outcomes,
      AnalysisReport.Model model,
      List<String> notes) {
    /**
     * @param firstTime time of forecast step 1, or {@code null} if unknown
     * @param step grid step, for the times of later steps
     * @param extraNotes notes after the forecast's own
     */
    public static WhatIfForecast of(
        String monitor,
        WhatIf.Forecast f,
        int horizon,
        String historyFrom,
        String historyTo,
        Instant firstTime,
        Duration step,
        List<String> extraNotes) {
      List<OutcomeForecast> outcomes =
          f.outcomes().stream()
              .map(
                  o ->
                      new OutcomeForecast(
                          o.node(),
                          new ForecastSummary(
                              EstimateJson.of(o.average()), EstimateJson.of(o.cumulative())),
                          o.series().stream()
                              .map(
                                  s ->
                                      new ForecastStep(
                                          s.step(),
                                          time(
                                              firstTime == null
                                                  ? null
                                                  : firstTime.plus(
                                                      step.multipliedBy(s.step() - 1L))),
                                          EstimateJson.of(s.baseline()),
                                          EstimateJson.of(s.scenario()),
                                          EstimateJson.of(s.difference()),
                                          EstimateJson.of(s.cumulativeDifference())))
                              .toList()))
              .toList();
      List<String> notes = new java.util.ArrayList<>(f.notes());
      notes.addAll(extraNotes);
      return new WhatIfForecast(
          AnalysisReport.SCHEMA,
          monitor,
          EstimateJson.finite(f.level()),
          horizon,
          f.baseline(),
          f.scenario(),
          new History(f.rows(), historyFrom, historyTo),
          outcomes,
          AnalysisReport.Model.of(f.equations(), f.effects()),
          notes);
    }
  }

  /** The rows the what-if model was fitted on. */
  public record History(int rows, String from, String to) {}

  /** One outcome of a what-if. */
  public record OutcomeForecast(
      String node, ForecastSummary summary, List<ForecastStep> series) {}

  /** The average and cumulative difference over the horizon. */
  public record ForecastSummary(EstimateJson average, EstimateJson cumulative) {}

  /** One step of a what-if; {@code time} {@code null} when the rows carry no times. */
  public record ForecastStep(
      int step,
      String time,
      EstimateJson baseline,
      EstimateJson scenario,
      EstimateJson difference,
      EstimateJson cumulativeDifference) {}

  /**
   * An error: {@code {"error": message}}, plus {@code "field"} when one body field is at fault and
   * {@code "reason"} when the body is an input the stream would dead-letter (the same reason word).
   */
  public record Error(
      String error,
      @JsonInclude(JsonInclude.Include.NON_NULL) String field,
      @JsonInclude(JsonInclude.Include.NON_NULL) String reason) {
    public Error(String error, String field) {
      this(error, field, null);
    }
  }

  /**
   * {@code POST /api/monitors/{m}/interventions}: the event as produced to {@code topic}, keyed by
   * {@code monitor}, and where it landed.
   */
  public record InterventionPosted(
      int schema, String monitor, String topic, int partition, long offset, JsonNode event) {
    public InterventionPosted(
        String monitor, String topic, int partition, long offset, JsonNode event) {
      this(AnalysisReport.SCHEMA, monitor, topic, partition, offset, event);
    }
  }

  /** What {@code /health} and {@code /ready} say: {@code UP}, {@code READY}, {@code NOT_READY}. */
  public record Status(String status) {}

  private static Double seconds(Duration step) {
    return EstimateJson.finite(step.toMillis() / 1000.0);
  }

  private static String time(Instant t) {
    return t == null ? null : t.toString();
  }
}
