package org.causalimpact.monitor.live;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.impact.WhatIf;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.Explanations;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.ScmFitter;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.wire.AnalysisReport;
import org.causalimpact.monitor.wire.ApiViews;
import org.causalimpact.monitor.wire.PrePeriodView;

/**
 * What the API asks of the live monitors, answered as the API's views: their status, the live
 * model fitted on each monitor's last {@code preWindow} rows, an intervention's report so far, and
 * what-if forecasts. Reads the stores through {@link MonitorQueries}; changes nothing.
 *
 * <p>Thread-safe as far as the stores are. What-if forecasts, which hold every bootstrap path in
 * memory, run one at a time; so do the analyses behind intervention reports, which are kept per
 * closed row.
 */
public final class MonitorService {
  /**
   * Steps of intervention reports kept, over every outcome: about 0.5 KB of heap each, so about
   * 50 MB; a report larger than this is still kept alone, until another is computed.
   */
  public static final long MAX_REPORT_STEPS = 100_000;

  private final MonitorQueries queries;
  private final InterventionReports reports;
  private final Semaphore whatIfs = new Semaphore(1, true);

  public MonitorService(MonitorQueries queries) {
    this.queries = queries;
    this.reports = new InterventionReports(queries, MAX_REPORT_STEPS);
  }

  /**
   * The models of the monitor's rows cannot be fitted now (no complete row, or too few); asking
   * again later, when more rows have closed, may succeed.
   */
  public static final class ModelUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ModelUnavailableException(String message) {
      super(message);
    }
  }

  /** Another what-if or report is being computed, or the service is stopping. */
  public static final class BusyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BusyException(String message) {
      super(message);
    }
  }

  /**
   * Every monitor's status.
   *
   * @throws StoresUnavailableException while the stores cannot be read (rebalance, restore)
   */
  public List<MonitorStatus> statuses() {
    return queries.monitors();
  }

  /** The monitor's status, or empty if no monitor has that name. */
  public Optional<MonitorStatus> status(String monitor) {
    return queries.monitor(monitor);
  }

  /** {@code GET /api/monitors}. */
  public ApiViews.MonitorList list() {
    List<ApiViews.MonitorSummary> out = new ArrayList<>();
    for (MonitorStatus s : statuses()) {
      out.add(
          ApiViews.MonitorSummary.of(
              s.definition(),
              s.lastClosed(),
              s.openSteps(),
              s.interventions().stream()
                  .filter(InterventionStatus::active)
                  .map(InterventionStatus::id)
                  .toList()));
    }
    return new ApiViews.MonitorList(out);
  }

  /** A monitor's graph, settings, interventions and the fit of its live model. */
  public ApiViews.MonitorDetail detail(MonitorStatus s) {
    MonitorDefinition d = s.definition();
    TimeSeriesTable rows = queries.recentRows(d.name(), d.preWindow()).orElseThrow();
    ApiViews.Fit fit = null;
    String unavailable = null;
    if (rows.rows() == 0) {
      unavailable = "no complete row has closed yet";
    } else {
      try {
        FittedScm model = ScmFitter.with(d.fit()).fit(d.graph(), rows, 0, rows.rows());
        double[][] observed = ScmFitter.columnsOf(d.graph(), rows);
        AnalysisReport.Model m =
            AnalysisReport.Model.of(
                model.summaries(), Explanations.effects(model, observed, 0, rows.rows()));
        String from = rows.label(0);
        String to = rows.label(rows.rows() - 1);
        fit =
            new ApiViews.Fit(
                rows.rows(), from, to, m.equations(), m.effects(), overlapping(s, from, to));
      } catch (InputException e) {
        unavailable =
            "the last " + rows.rows() + " complete rows cannot support the model: "
                + e.getMessage();
      }
    }
    return ApiViews.MonitorDetail.of(
        d, s.lastClosed(), s.openSteps(), fit, unavailable, views(s.interventions()));
  }

  /** The interventions the monitor knows, as {@link #detail} lists them, without the fit. */
  public ApiViews.InterventionList interventions(MonitorStatus s) {
    return new ApiViews.InterventionList(s.definition().name(), views(s.interventions()));
  }

  /**
   * A page of an intervention's analysis report: its status, the report's summaries, model and
   * notes, and the steps after {@code since}, at most {@code limit}; the report {@code null} with
   * the reason before its first post-period row closes or when its rows cannot be analysed. The
   * report is computed at most once per closed row ({@link InterventionReports}); while a newer one
   * is being computed the previous one is answered.
   *
   * @param known the intervention as the monitor's status lists it
   * @param wait how long to wait for another report to be computed when there is none to answer
   * @throws BusyException when no report could be had within {@code wait}
   */
  public ApiViews.InterventionDetail intervention(
      MonitorStatus s, InterventionStatus known, int since, int limit, Duration wait) {
    String monitor = s.definition().name();
    InterventionReports.Entry e = reports.get(monitor, known, wait);
    return ApiViews.InterventionDetail.of(
        monitor, view(e.status()), e.report(), since, limit, e.unavailable());
  }

  /**
   * The pre-period rows of an intervention's report, one page of them: the same report {@link
   * #intervention} serves, so computed at most once per closed row.
   */
  public PrePeriodView prePeriod(
      MonitorStatus s, InterventionStatus known, int since, int limit, Duration wait) {
    String monitor = s.definition().name();
    InterventionReports.Entry e = reports.get(monitor, known, wait);
    return PrePeriodView.of(monitor, known.id(), e.report(), since, limit, e.unavailable());
  }

  /**
   * Steps and pre-period rows of the intervention reports kept for {@link #intervention} and
   * {@link #prePeriod}, over every outcome.
   */
  public long reportStepsKept() {
    return reports.steps();
  }

  /**
   * The what-if forecast of a monitor on its last {@code preWindow} rows; waits at most {@code
   * wait} for another what-if to finish.
   *
   * @throws ModelUnavailableException when the rows cannot support the model
   * @throws BusyException when another what-if runs longer than {@code wait}
   */
  public ApiViews.WhatIfForecast whatIf(
      MonitorStatus s,
      Map<String, DoSpec> baseline,
      Map<String, DoSpec> scenario,
      List<String> outcomes,
      int horizon,
      Duration wait) {
    MonitorDefinition d = s.definition();
    String monitor = d.name();
    TimeSeriesTable history = queries.recentRows(monitor, d.preWindow()).orElseThrow();
    if (history.rows() == 0) {
      throw new ModelUnavailableException(
          "monitor '" + monitor + "' has no complete closed row yet");
    }
    WhatIf.Forecast forecast;
    try {
      if (!whatIfs.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new BusyException("another what-if is being computed; try again shortly");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BusyException("the server is stopping");
    }
    try {
      forecast =
          WhatIf.withDefaults()
              .withFit(d.fit())
              .withIntervals(d.intervals())
              .forecast(d.graph(), history, baseline, scenario, outcomes, horizon);
    } catch (InputException e) {
      throw new ModelUnavailableException(
          "the last " + history.rows() + " complete rows of monitor '" + monitor
              + "' cannot support the model: " + e.getMessage());
    } finally {
      whatIfs.release();
    }
    String from = history.label(0);
    String to = history.label(history.rows() - 1);
    Instant first = null;
    try {
      first = Instant.parse(to).plus(d.step());
    } catch (DateTimeParseException e) {
      // row labels that are not instants: the forecast's steps carry no times
    }
    return ApiViews.WhatIfForecast.of(
        monitor, forecast, horizon, from, to, first, d.step(), overlapNotes(s, from, to));
  }

  private static List<ApiViews.InterventionView> views(List<InterventionStatus> statuses) {
    return statuses.stream().map(MonitorService::view).toList();
  }

  private static ApiViews.InterventionView view(InterventionStatus i) {
    return ApiViews.InterventionView.of(
        i.id(), i.active(), i.state().word(), i.start(), i.end(), i.actions(), i.outcomes(),
        i.stepsReported());
  }

  /**
   * Interventions that ran during rows {@code from..to} (labels as ISO instants): not those
   * cancelled before their first step.
   */
  private static List<String> overlapping(MonitorStatus s, String from, String to) {
    List<String> ids = new ArrayList<>();
    try {
      Instant a = Instant.parse(from);
      Instant b = Instant.parse(to);
      for (InterventionStatus i : s.interventions()) {
        boolean ran = i.state() != InterventionStatus.State.CANCELLED;
        if (ran && !i.start().isAfter(b) && (i.end() == null || i.end().isAfter(a))) {
          ids.add(i.id());
        }
      }
    } catch (DateTimeParseException e) {
      return List.of();
    }
    return ids;
  }

  /** A note when interventions ran in the fit window: the model reads their rows as natural. */
  private static List<String> overlapNotes(MonitorStatus s, String from, String to) {
    List<String> ids = overlapping(s, from, to);
    if (ids.isEmpty()) {
      return List.of();
    }
    return List.of(
        "the fit window (" + from + " .. " + to + ") overlaps intervention(s) "
            + String.join(", ", ids)
            + ": the model is fitted on their rows as if nothing had been done, so the equations"
            + " of nodes they changed describe the intervened period");
  }
}
