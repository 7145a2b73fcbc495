package org.causalimpact.monitor.live;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.wire.AnalysisReport;

/**
 * The analysis reports of interventions, each computed at most once per state of its intervention
 * (its status: start, end, rows reported), so at most once per closed row however often clients
 * ask. A report advances the intervention's own incremental analysis through the rows closed
 * since the last one ({@link IncrementalReport}), so it costs the new rows, not the post-period,
 * except the first report of an intervention (or one after its analysis had to be set up again),
 * which advances through every row once. So:
 *
 * <ul>
 *   <li>one analysis runs at a time; a request that would start another waits for it at most its
 *       {@code wait}, or is answered at once with the intervention's previous report when there is
 *       one (it lags the rows closed meanwhile, and says so in its status);
 *   <li>requests for an intervention whose new report is being computed get the previous report,
 *       or wait for the new one when there is none;
 *   <li>the reports kept are bounded by their steps and pre-period rows, {@code maxSteps} in all
 *       over every outcome
 *       (the least recently used go first), and at most {@value #MAX_ENTRIES}, one per intervention.
 * </ul>
 *
 * <p>Thread-safe.
 */
final class InterventionReports {
  /**
   * A report and the status it was computed for.
   *
   * @param status the intervention when its rows were read
   * @param report the analysis, or {@code null}
   * @param unavailable why there is no analysis, or {@code null}
   */
  record Entry(
      InterventionStatus status,
      AnalysisReport report,
      String unavailable,
      IncrementalReport incremental) {
    /** Steps and pre-period rows held, over every outcome. */
    int steps() {
      return report == null
          ? 0
          : report.outcomes().stream()
              .mapToInt(o -> o.series().size() + (o.preSeries() == null ? 0 : o.preSeries().size()))
              .sum();
    }
  }

  private record Key(String monitor, String id) {}

  /**
   * Most reports kept: each keeps the incremental analysis that gives its next report (about 0.6
   * MiB for a 4-node monitor with 1,000 replicates; see {@code StreamingAnalysis}).
   */
  static final int MAX_ENTRIES = 32;

  private final MonitorQueries queries;
  private final long maxSteps;
  private final Semaphore analyses = new Semaphore(1, true);
  private final Map<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<Key, CompletableFuture<Entry>> computing = new ConcurrentHashMap<>();
  private long steps;

  InterventionReports(MonitorQueries queries, long maxSteps) {
    this.queries = queries;
    this.maxSteps = maxSteps;
  }

  /**
   * The report of intervention {@code known} of {@code monitor}: the kept one when it was computed
   * for this status, else a new one (or the previous one while another thread computes it).
   *
   * @throws MonitorService.BusyException when no report could be had within {@code wait}
   * @throws StoresUnavailableException while the stores cannot be read
   */
  Entry get(String monitor, InterventionStatus known, Duration wait) {
    Key key = new Key(monitor, known.id());
    Entry kept;
    synchronized (this) {
      kept = entries.get(key);
    }
    if (kept != null && current(kept.status(), known)) {
      return kept;
    }
    CompletableFuture<Entry> mine = new CompletableFuture<>();
    CompletableFuture<Entry> other = computing.putIfAbsent(key, mine);
    if (other != null) {
      return kept != null ? kept : await(other, wait);
    }
    try {
      if (!acquire(kept == null ? wait : Duration.ZERO)) {
        if (kept != null) {
          mine.complete(kept);
          return kept;
        }
        throw new MonitorService.BusyException(
            "another intervention's report is being computed; try again shortly");
      }
      try {
        Entry fresh = compute(monitor, known, kept);
        keep(key, fresh);
        mine.complete(fresh);
        return fresh;
      } finally {
        analyses.release();
      }
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      computing.remove(key, mine);
    }
  }

  /**
   * Whether a report computed for status {@code kept} is as new as one for {@code asked}: the same
   * intervention in the same phase, with at least as many rows (the status read before a request
   * may lag one read by a computation that finished meanwhile).
   */
  private static boolean current(InterventionStatus kept, InterventionStatus asked) {
    return kept.start().equals(asked.start())
        && kept.active() == asked.active()
        && Objects.equals(kept.end(), asked.end())
        && kept.actions().equals(asked.actions())
        && kept.stepsReported() >= asked.stepsReported();
  }

  /** Steps held by the kept reports, over every outcome. */
  synchronized long steps() {
    return steps;
  }

  /**
   * A new report of the intervention: its kept incremental analysis advanced through the rows
   * closed since, or a new one ({@link IncrementalReport}).
   */
  private Entry compute(String monitor, InterventionStatus known, Entry kept) {
    Optional<MonitorQueries.InterventionRows> rows;
    try {
      rows = queries.interventionRows(monitor, known.id());
      if (rows.isEmpty()) {
        return new Entry(known, null, "no post-period row has closed yet", null);
      }
      MonitorQueries.InterventionRows r = rows.get();
      IncrementalReport.Result result =
          IncrementalReport.report(
              kept == null ? null : kept.incremental(), r.definition(), r.record(), r.slice());
      return new Entry(r.status(), result.report(), null, result.next());
    } catch (InputException e) {
      return new Entry(known, null, e.getMessage(), null);
    }
  }

  private synchronized void keep(Key key, Entry e) {
    Entry old = entries.put(key, e);
    steps += e.steps() - (old == null ? 0 : old.steps());
    Iterator<Map.Entry<Key, Entry>> eldest = entries.entrySet().iterator();
    while ((steps > maxSteps || entries.size() > MAX_ENTRIES) && entries.size() > 1) {
      Map.Entry<Key, Entry> out = eldest.next();
      if (out.getKey().equals(key)) {
        continue;
      }
      steps -= out.getValue().steps();
      eldest.remove();
    }
  }

  private boolean acquire(Duration wait) {
    try {
      return analyses.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MonitorService.BusyException("the server is stopping");
    }
  }

  private static Entry await(CompletableFuture<Entry> f, Duration wait) {
    try {
      return f.get(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new MonitorService.BusyException(
          "the report is still being computed; try again shortly");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MonitorService.BusyException("the server is stopping");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
