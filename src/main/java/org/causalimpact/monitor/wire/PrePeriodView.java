package org.causalimpact.monitor.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * {@code GET /api/monitors/{m}/interventions/{id}/pre-period}: the pre-period rows of each outcome
 * of the intervention's report, what was observed and what the model fitted at the intervention's
 * start predicted one step ahead, in sample (the {@code preSeries} of {@code analyze --format
 * json}), one page long: the rows after the first {@code since}, at most {@code limit}, described
 * by {@code page} as the intervention report's steps are ({@link ApiViews.Page}: {@code since} and
 * {@code next} count pre-period rows). {@code "outcomes": []} with {@code "reportUnavailable"}
 * before the first post-period row closes (the model is fitted then).
 *
 * @param fitted what the {@code fitted} values are, in words
 */
public record PrePeriodView(
    int schema,
    String monitor,
    String intervention,
    AnalysisReport.Period prePeriod,
    String fitted,
    List<Outcome> outcomes,
    @JsonInclude(JsonInclude.Include.NON_NULL) ApiViews.Page page,
    @JsonInclude(JsonInclude.Include.NON_NULL) String reportUnavailable) {
  /** How the API describes the {@code fitted} values. */
  public static final String FITTED =
      "one-step-ahead prediction of the equation fitted on the pre-period (in sample)";

  /** One outcome's page of pre-period rows. */
  public record Outcome(String node, List<AnalysisReport.PreStep> series) {}

  /**
   * @param report the intervention's whole report, or {@code null}
   * @param since rows up to this count are left out
   * @param limit most rows per outcome
   * @param unavailable why there is no report, or {@code null}
   */
  public static PrePeriodView of(
      String monitor,
      String intervention,
      AnalysisReport report,
      int since,
      int limit,
      String unavailable) {
    if (report == null) {
      return new PrePeriodView(
          AnalysisReport.SCHEMA, monitor, intervention, null, FITTED, List.of(), null,
          unavailable);
    }
    int total =
        report.outcomes().stream()
            .mapToInt(o -> o.preSeries() == null ? 0 : o.preSeries().size())
            .max()
            .orElse(0);
    int from = Math.min(since, total);
    int to = (int) Math.min(total, (long) from + limit);
    List<Outcome> outcomes =
        report.outcomes().stream()
            .map(
                o ->
                    new Outcome(
                        o.node(),
                        o.preSeries() == null
                            ? List.of()
                            : List.copyOf(
                                o.preSeries()
                                    .subList(
                                        Math.min(from, o.preSeries().size()),
                                        Math.min(to, o.preSeries().size())))))
            .toList();
    return new PrePeriodView(
        AnalysisReport.SCHEMA,
        monitor,
        intervention,
        report.prePeriod(),
        FITTED,
        outcomes,
        new ApiViews.Page(since, limit, to - from, total, to < total ? to : null),
        null);
  }
}
