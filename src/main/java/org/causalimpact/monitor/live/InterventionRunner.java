package org.causalimpact.monitor.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.StreamingAnalysis;
import org.causalimpact.monitor.ingest.Input;
import org.causalimpact.monitor.state.GridRow;
import org.causalimpact.monitor.state.GridState;
import org.causalimpact.monitor.state.Interventions;
import org.causalimpact.monitor.state.TrackedIntervention;
import org.causalimpact.monitor.wire.AnalysisReport;
import org.causalimpact.monitor.wire.ImpactRecord;
import org.causalimpact.monitor.wire.Json;
import org.causalimpact.monitor.wire.SummaryRecord;

/**
 * The intervention lifecycle of a monitor: start and end events, and for every running
 * intervention one impact record per outcome per closed post-period row, a summary at its end, and
 * a second summary after the persistence rows.
 *
 * <p>Stream = batch: each impact record is the step of {@code ImpactAnalyzer.analyze} run on the
 * stored rows from {@code preWindow} rows before the start through the closed row, exactly what
 * {@code analyze} computes on the same rows in a CSV, advanced one row at a time by a {@link
 * StreamingAnalysis} held in memory per running intervention ({@link LiveAnalyses}, a cache set
 * up again from the stored rows when missing, so the numbers survive restarts without the model
 * being stored). An intervention event that arrives after rows
 * past its start replays those rows. Overlapping interventions are each analysed against the world
 * without that intervention, with the other's effects left in the observed data. One per
 * processor, on its thread.
 *
 * <p>Lifecycle: a start is pending until its first step closes (model health runs until then),
 * then active until its end and persistence rows are reported; it ends {@code ended}, {@code
 * cancelled} (an end at or before a pending start) or {@code failed} (its analysis failed). Each
 * monitor runs at most {@link InterventionLimits#maxRunning()} and keeps the newest {@link
 * InterventionLimits#keepEnded()} ended ones (docs/reliability.md, "Bounded state").
 */
final class InterventionRunner {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(InterventionRunner.class);

  /** The summary's phase when reporting stopped at {@code monitor.max.post.rows}. */
  static final String MAX_POST_ROWS = "max-post-rows";

  private final TopologySettings settings;
  private final StreamListener listener;
  private final MonitorStores stores;
  private final Emitter out;

  /** Incremental analyses of the running interventions; a cache. */
  private final LiveAnalyses live;

  InterventionRunner(
      TopologySettings settings, StreamListener listener, MonitorStores stores, Emitter out) {
    this.settings = settings;
    this.listener = listener;
    this.stores = stores;
    this.out = out;
    this.live = new LiveAnalyses(settings, stores);
  }

  /** Forgets every analysis held in memory. */
  void clear() {
    live.clear();
  }

  /**
   * Row {@code s} closed: what it means for each running intervention (pending ones wait for
   * their first step); ended ones past the limits are forgotten.
   */
  void rowClosed(MonitorStores.Monitor m, long s) {
    Interventions ivs = m.interventions();
    for (TrackedIntervention iv : new ArrayList<>(ivs.running())) {
      if (iv.startStep <= s) {
        ivs.changed(iv);
      }
      advance(m.def, ivs, iv, s);
    }
    forgetOld(m, ivs);
  }

  /**
   * A start: dead-lettered if {@link StartCheck} refuses it; otherwise it runs, pending until its
   * first step closes (rows already closed since its start are replayed at once).
   */
  void onStart(MonitorStores.Monitor m, Input.Start e) {
    MonitorDefinition def = m.def;
    Interventions st = m.interventions();
    StartCheck.Refusal refused = StartCheck.refusal(m, st, e, settings.interventions());
    if (refused != null) {
      out.dead(refused.reason(), refused.message(), e.source(), def.name());
      return;
    }
    TrackedIntervention iv = new TrackedIntervention();
    iv.id = e.id();
    iv.startStep = Math.floorDiv(e.timestamp(), RowCloser.stepMillis(def));
    iv.actions.putAll(e.actions());
    iv.outcomes.addAll(e.outcomes());
    iv.source = e.source();
    st.start(iv);
    long lastClosed = m.grid.lastClosedStep;
    if (lastClosed != GridState.NONE) {
      for (long s = iv.startStep; s <= lastClosed && st.running(iv.id) != null; s++) {
        advance(def, st, iv, s);
      }
    }
    forgetOld(m, st);
  }

  /**
   * An end: the do-specs stop from its step on. An end at or before the start cancels an
   * intervention none of whose rows was reported (it is pending); one that comes after rows past
   * it were reported as active reports those rows again, as {@code after-end} with the do-specs
   * lifted, under the same keys and timestamps, and reporting then goes on through the
   * persistence rows or the rows already reported, whichever is later.
   */
  void onEnd(MonitorStores.Monitor m, Input.End e) {
    MonitorDefinition def = m.def;
    Interventions st = m.interventions();
    TrackedIntervention iv = st.running(e.id());
    if (iv == null) {
      out.dead(
          st.ended(e.id()) ? "already-ended" : "end-without-start",
          "intervention '" + e.id() + "' of monitor '" + def.name() + "' is not running",
          e.source(), def.name());
      return;
    }
    if (iv.endStep != null) {
      out.dead(
          "already-ended", "intervention '" + e.id() + "' already has an end", e.source(),
          def.name());
      return;
    }
    long stepMs = RowCloser.stepMillis(def);
    long end = Math.floorDiv(e.timestamp() + stepMs - 1, stepMs);
    if (end <= iv.startStep) {
      if (iv.pending()) {
        iv.endStep = iv.startStep;
        finish(def, st, iv, TrackedIntervention.Ending.CANCELLED);
        forgetOld(m, st);
        return;
      }
      out.dead(
          "invalid-intervention",
          "intervention '" + e.id() + "' ends at " + Instant.ofEpochMilli(e.timestamp())
              + ", before its first step, and its rows from "
              + Instant.ofEpochMilli(iv.startStep * stepMs) + " on are reported already: an end"
              + " at or before the start only cancels an intervention whose first step has not"
              + " closed",
          e.source(), def.name());
      return;
    }
    st.changed(iv);
    iv.endStep = end;
    iv.reportEndStep = end + settings.persistenceRows();
    if (iv.emittedThrough >= end) {
      reportAgainAfterEnd(def, st, iv);
    }
    if (m.grid.lastClosedStep != GridState.NONE) {
      finishIfDue(def, st, iv, m.grid.lastClosedStep);
    }
    forgetOld(m, st);
  }

  /**
   * The rows from the end on that were reported with the do-specs on, reported again with them
   * lifted; reporting goes on at least through them.
   */
  private void reportAgainAfterEnd(
      MonitorDefinition def, Interventions st, TrackedIntervention iv) {
    long through = iv.emittedThrough;
    iv.reportEndStep = Math.max(iv.reportEndStep, through + 1);
    // the analysis in memory ran past the end with the do-specs on: set it up again
    live.forget(def.name(), iv);
    iv.emittedThrough = iv.endStep - 1;
    for (long s = iv.endStep; s <= through; s++) {
      if (!emitStep(def, st, iv, s)) {
        return;
      }
    }
  }

  /**
   * Emits what row {@code s} means for one intervention: an impact step (while the intervention
   * runs, and through the persistence rows after its end), the summary at its end, and a second
   * summary when the persistence rows are over.
   */
  private void advance(MonitorDefinition def, Interventions st, TrackedIntervention iv, long s) {
    if (s < iv.startStep || s <= iv.emittedThrough) {
      return;
    }
    boolean reported = iv.reportEndStep == null || s < iv.reportEndStep;
    if (reported && !emitStep(def, st, iv, s)) {
      return;
    }
    if (iv.endStep == null && s - iv.startStep + 1 >= settings.maxPostRows()) {
      // no end event by the cap: the summary of the rows so far, then the monitor goes back to
      // model health; an end event that comes later is dead-lettered as already-ended
      iv.endStep = s + 1;
      iv.reportEndStep = s + 1;
      iv.stoppedAtMaxPostRows = true;
    }
    finishIfDue(def, st, iv, s);
  }

  /** The summaries and the move to {@code ended} that row {@code s} being closed makes due. */
  private void finishIfDue(
      MonitorDefinition def, Interventions st, TrackedIntervention iv, long s) {
    if (iv.endStep == null) {
      return;
    }
    if (!iv.summarized && s >= iv.endStep - 1) {
      iv.summarized = true;
      if (!summarize(def, iv, iv.endStep, iv.stoppedAtMaxPostRows ? MAX_POST_ROWS : "end")) {
        finish(def, st, iv, TrackedIntervention.Ending.FAILED);
        return;
      }
    }
    if (s >= iv.reportEndStep - 1) {
      boolean summarized =
          iv.reportEndStep <= iv.endStep
              || summarize(def, iv, iv.reportEndStep, "persistence-end");
      finish(
          def, st, iv,
          summarized ? TrackedIntervention.Ending.ENDED : TrackedIntervention.Ending.FAILED);
    }
  }

  /**
   * The analysis of row {@code s} failed (a dead letter says why): the intervention ends there,
   * failed, unless it had an end already, so that the API and the overlap notes stop at it.
   */
  private void fail(MonitorDefinition def, Interventions st, TrackedIntervention iv, long s) {
    if (iv.endStep == null) {
      iv.endStep = s;
    }
    finish(def, st, iv, TrackedIntervention.Ending.FAILED);
  }

  /** The intervention leaves the running ones: nothing more is reported of it. */
  private void finish(
      MonitorDefinition def, Interventions st, TrackedIntervention iv,
      TrackedIntervention.Ending ending) {
    live.forget(def.name(), iv);
    iv.ending = ending;
    st.end(iv);
    listener.interventionEnded(def.name(), iv.id);
  }

  /**
   * Forgets the ended interventions beyond {@link InterventionLimits#keepEnded()} and those that
   * ended more than {@link InterventionLimits#maxEndedAge()} before the monitor's last closed row.
   */
  private void forgetOld(MonitorStores.Monitor m, Interventions st) {
    InterventionLimits limits = settings.interventions();
    long last = m.grid.lastClosedStep;
    long ageSteps = limits.maxEndedAge().toMillis() / RowCloser.stepMillis(m.def);
    st.forget(
        limits.keepEnded(), last == GridState.NONE ? Long.MIN_VALUE : last - ageSteps);
  }

  private boolean emitStep(
      MonitorDefinition def, Interventions st, TrackedIntervention iv, long s) {
    List<StreamingAnalysis.OutcomeStep> steps;
    GridRow row = stores.storedRow(def.name(), s);
    long began = System.nanoTime();
    try {
      steps = live.step(def, iv, s, row);
    } catch (RuntimeException ex) {
      out.dead("analysis-failed", analysisFailure(ex), iv.source, def.name());
      fail(def, st, iv, s);
      return false;
    }
    listener.analysisTime(def.name(), System.nanoTime() - began);
    long time = s * RowCloser.stepMillis(def);
    String phase = iv.endStep == null || s < iv.endStep ? "active" : "after-end";
    for (StreamingAnalysis.OutcomeStep o : steps) {
      ImpactRecord r =
          new ImpactRecord(
              AnalysisReport.SCHEMA,
              def.name(),
              iv.id,
              o.node(),
              Instant.ofEpochMilli(time).toString(),
              phase,
              def.intervals().level(),
              row != null && row.imputed()[def.graph().indexOf(o.node())],
              AnalysisReport.Step.of(o.impact()),
              new ImpactRecord.PValue(
                  o.pValueBootstrap(),
                  o.pValueConformal(),
                  o.conformalTest() == null ? null : o.conformalTest().key()));
      out.emit(settings.impactTopic(), def.name() + "/" + iv.id + "/" + o.node(), bytes(r), time);
      listener.impact(def.name(), iv.id, o);
    }
    iv.emittedThrough = s;
    return true;
  }

  /**
   * Emits the summary of rows {@code [startStep, until)} to the summary topic: from the running
   * analysis when it has advanced exactly through those rows ({@link StreamingAnalysis#summary},
   * equal to the batch analysis, at a cost that does not grow with the rows), else from the batch
   * analysis of the stored rows.
   *
   * @param phase {@code end} (the intervention's own period), {@code max-post-rows} (its first
   *     {@code monitor.max.post.rows} rows, with no end event by then) or {@code persistence-end}
   *     (through the persistence rows)
   * @return false if the analysis failed (a dead letter says why)
   */
  private boolean summarize(
      MonitorDefinition def, TrackedIntervention iv, long until, String phase) {
    long last = until - 1;
    long stepMs = RowCloser.stepMillis(def);
    try {
      StoredRows.Slice slice = StoredRows.slice(stores.rows(), def, iv, last);
      StreamingAnalysis running = live.held(def.name(), iv);
      ImpactAnalysis a =
          running != null && running.steps() == until - iv.startStep ? running.summary() : null;
      if (a == null) {
        // not advanced to this row (an end that came after later rows, a restart), or a
        // conformal summary by the permutation test: the batch analysis of the stored rows
        a = StoredRows.analyze(def, iv, slice);
      }
      AnalysisReport report = AnalysisReport.of(a, slice.table()).withoutSeries();
      if (phase.equals(MAX_POST_ROWS)) {
        report =
            report.withNote(
                "reporting stopped after monitor.max.post.rows = " + settings.maxPostRows()
                    + " rows with no end event: this summary covers them; the monitor is back to"
                    + " model health, and an end event that comes later is dead-lettered");
      }
      SummaryRecord r =
          new SummaryRecord(
              report,
              phase,
              Instant.ofEpochMilli(iv.endStep * stepMs).toString(),
              until > iv.endStep ? Instant.ofEpochMilli(until * stepMs).toString() : null);
      out.emit(settings.summaryTopic(), def.name() + "/" + iv.id, bytes(r), last * stepMs);
      return true;
    } catch (RuntimeException ex) {
      out.dead("analysis-failed", analysisFailure(ex), iv.source, def.name());
      return false;
    }
  }

  private static byte[] bytes(Object record) {
    try {
      return Json.MAPPER.writeValueAsBytes(record);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot write an output record", ex);
    }
  }

  /**
   * The message of an analysis that failed on these rows: a bad-input message as it is, an
   * unexpected engine error logged and named. Kafka's own exceptions (fencing, task migration,
   * store errors) are rethrown, for Kafka Streams to handle: they are not about the data.
   */
  private static String analysisFailure(RuntimeException ex) {
    if (ex instanceof org.apache.kafka.common.KafkaException) {
      throw ex;
    }
    if (ex instanceof InputException) {
      return ex.getMessage();
    }
    LOG.error("the analysis failed on the stored rows; the intervention is ended", ex);
    return "the analysis failed (" + ex + "); the intervention is ended";
  }
}
