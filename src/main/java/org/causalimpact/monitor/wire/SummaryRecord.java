package org.causalimpact.monitor.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * One record of the {@code impact.summary} topic, keyed {@code monitor/intervention}: the analysis
 * report of the intervention's rows without the per-step series ({@link
 * AnalysisReport#withoutSeries}: the steps are the {@code impact} topic's records, and the API
 * serves them page by page), so its size does not grow with the campaign; then {@code phase}
 * ({@code end}: its own period; {@code max-post-rows}: its first {@code monitor.max.post.rows}
 * rows, when no end event came by then; {@code persistence-end}: through the persistence rows),
 * {@code endTimestamp}, and {@code reportedUntil} when the report reaches past the end.
 */
public record SummaryRecord(
    @JsonUnwrapped AnalysisReport report,
    String phase,
    String endTimestamp,
    @JsonInclude(JsonInclude.Include.NON_NULL) String reportedUntil) {}
