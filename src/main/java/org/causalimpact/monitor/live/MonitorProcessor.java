package org.causalimpact.monitor.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.graph.Aggregation;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.StepImpact;
import org.causalimpact.monitor.impact.StreamingAnalysis;
import org.causalimpact.monitor.ingest.DeadLetter;
import org.causalimpact.monitor.ingest.Envelope;
import org.causalimpact.monitor.ingest.Source;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.state.GridRow;
import org.causalimpact.monitor.state.GridState;
import org.causalimpact.monitor.state.HealthState;
import org.causalimpact.monitor.state.MonitorState;
import org.causalimpact.monitor.state.RowChunk;
import org.causalimpact.monitor.wire.Json;
import org.causalimpact.monitor.wire.JsonReport;

/**
 * The per-monitor heart of the stream: aligns points to the monitor's grid in event time, closes
 * rows when stream time passes step end + grace (imputing and flagging missing cells), and for
 * every active intervention emits one impact record per outcome per closed post-period row and a
 * summary when it ends.
 *
 * <p>Stream = batch: each impact record is the step of {@code ImpactAnalyzer.analyze} run on the
 * stored rows from {@code preWindow} rows before the start through the closed row, exactly what
 * {@code analyze} computes on the same rows in a CSV, advanced one row at a time by a {@link
 * StreamingAnalysis} held in memory per running intervention. That object is a cache: it is a pure
 * function of the stored rows and the seed, set up again from them when missing, so the numbers
 * survive restarts without the model being stored. An intervention event that arrives after rows past its start
 * replays those rows. Overlapping interventions are each analysed against the world without that
 * intervention, with the other's effects left in the observed data.
 */
final class MonitorProcessor implements Processor<String, Envelope, byte[], Output> {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(MonitorProcessor.class);

  /** Most empty steps one point may close at once; a point further ahead is a bad timestamp. */
  static final long MAX_GAP_STEPS = 100_000;

  private final Map<String, MonitorDefinition> monitors;
  private final StreamSettings settings;
  private final StreamListener listener;
  private ProcessorContext<byte[], Output> context;
  private KeyValueStore<String, MonitorState> states;
  private KeyValueStore<String, GridState> grids;
  private KeyValueStore<String, HealthState> healths;
  private KeyValueStore<String, RowChunk> rows;
  private StoredRows.Reader rowReader;
  private ModelHealth health;

  /** Incremental analyses of the running interventions, by {@code monitor/id}; a cache. */
  private final Map<String, StreamingAnalysis> live = new HashMap<>();

  /**
   * What this task's monitors' stores held after their last record, so that a record does not
   * read and decode it again: the grid (every point), the interventions and model health's
   * progress (every closed row), and the newest chunk of rows. A cache: emptied by {@link #init}
   * and {@link #close} (Kafka Streams closes and initialises the processor whenever the task's
   * stores go back to their changelog, as after an aborted transaction), and a monitor's entry is
   * dropped when processing one of its records fails halfway.
   */
  private final Map<String, Held> held = new HashMap<>();

  /** One monitor's entry in {@link #held}; a field is {@code null} until read or written. */
  private static final class Held {
    GridState grid;
    MonitorState state;
    HealthState health;

    /** The newest chunk: no chunk after it is stored. */
    RowChunk chunk;
  }

  MonitorProcessor(
      Map<String, MonitorDefinition> monitors, StreamSettings settings, StreamListener listener) {
    this.monitors = monitors;
    this.settings = settings;
    this.listener = listener;
  }

  @Override
  public void init(ProcessorContext<byte[], Output> context) {
    this.context = context;
    this.states = context.getStateStore(MonitorTopology.STATE_STORE);
    this.grids = context.getStateStore(MonitorTopology.GRID_STORE);
    this.healths = context.getStateStore(MonitorTopology.HEALTH_STORE);
    this.rows = context.getStateStore(MonitorTopology.ROWS_STORE);
    this.rowReader = StoredRows.reader(rows);
    this.health = new ModelHealth(settings);
    held.clear();
  }

  @Override
  public void process(Record<String, Envelope> record) {
    String monitor = record.key();
    Envelope e = record.value();
    MonitorDefinition def = monitors.get(monitor);
    if (def == null || e == null) {
      return;
    }
    try {
      Monitor m = new Monitor(def);
      switch (e.kind()) {
        case Envelope.POINT -> onPoint(m, e);
        case Envelope.START -> onStart(m, e);
        case Envelope.END -> onEnd(m, e);
        default ->
            dead("invalid-input", "unknown envelope kind " + e.kind(), e.source(), def.name());
      }
      m.save();
    } catch (RuntimeException ex) {
      // what is held in memory may be ahead of the store now
      held.remove(monitor);
      throw ex;
    }
  }

  /**
   * One monitor's state while a record is processed: the grid (read for every record), the
   * interventions and model health (read only if a row closes or an event needs them); what was
   * read is written back.
   */
  private final class Monitor {
    final MonitorDefinition def;
    final GridState grid;
    private final Held entry;
    private boolean stateChanged;
    private boolean healthRead;

    Monitor(MonitorDefinition def) {
      this.def = def;
      this.entry = held.computeIfAbsent(def.name(), k -> new Held());
      if (entry.grid == null) {
        GridState g = grids.get(def.name());
        entry.grid = g != null ? g : new GridState(def.graph().size());
      }
      this.grid = entry.grid;
    }

    /** The interventions, to change: they are written back. */
    MonitorState state() {
      stateChanged = true;
      return read();
    }

    /** Whether an intervention is running (read only). */
    boolean running() {
      return !read().interventions.isEmpty();
    }

    private MonitorState read() {
      if (entry.state == null) {
        MonitorState st = states.get(def.name());
        entry.state = st != null ? st : new MonitorState();
      }
      return entry.state;
    }

    /** Model health's progress, to change: it is written back. */
    HealthState health() {
      healthRead = true;
      if (entry.health == null) {
        HealthState h = healths.get(def.name());
        entry.health = h != null ? h : new HealthState();
      }
      return entry.health;
    }

    void save() {
      grids.put(def.name(), grid);
      if (stateChanged) {
        states.put(def.name(), entry.state);
      }
      if (healthRead) {
        healths.put(def.name(), entry.health);
      }
    }
  }

  private long stepMillis(MonitorDefinition def) {
    return Math.max(1, def.step().toMillis());
  }

  private void onPoint(Monitor m, Envelope e) {
    MonitorDefinition def = m.def;
    GridState st = m.grid;
    long stepMs = stepMillis(def);
    long step = Math.floorDiv(e.timestamp(), stepMs);
    if (st.lastClosedStep != GridState.NONE && step <= st.lastClosedStep) {
      dead(
          "late",
          "point of '" + e.node() + "' at " + Instant.ofEpochMilli(e.timestamp())
              + " arrived after its step closed (grace " + settings.grace() + ")",
          e.source(), def.name());
      return;
    }
    long reference =
        st.lastClosedStep != GridState.NONE
            ? st.lastClosedStep
            : st.open.isEmpty() ? step : st.open.firstKey();
    // both ways: before the first row closes, a point far behind the first open step would
    // otherwise make the monitor close every step in between
    if (Math.abs(step - reference) > MAX_GAP_STEPS) {
      dead(
          "bad-timestamp",
          "point at " + Instant.ofEpochMilli(e.timestamp()) + " is more than " + MAX_GAP_STEPS
              + " steps " + (step > reference ? "ahead of" : "behind")
              + " the monitor's stream time",
          e.source(), def.name());
      return;
    }
    GridState.Cell cell = st.cell(step, def.graph().indexOf(e.node()));
    cell.sum += e.value();
    cell.count++;
    if (e.timestamp() >= cell.lastTime) {
      cell.last = e.value();
      cell.lastTime = e.timestamp();
    }
    st.maxEventTime = Math.max(st.maxEventTime, e.timestamp());
    closeRows(m);
  }

  private void closeRows(Monitor m) {
    MonitorDefinition def = m.def;
    GridState st = m.grid;
    long stepMs = stepMillis(def);
    long closable = Math.floorDiv(st.maxEventTime - settings.grace().toMillis(), stepMs) - 1;
    long from =
        st.lastClosedStep != GridState.NONE
            ? st.lastClosedStep + 1
            : st.open.isEmpty() ? Long.MAX_VALUE : st.open.firstKey();
    for (long s = from; s <= closable; s++) {
      close(m, s);
    }
  }

  private void close(Monitor m, long s) {
    MonitorDefinition def = m.def;
    GridState st = m.grid;
    List<NodeDefinition> nodes = def.graph().nodes();
    GridState.Cell[] cells = st.open.remove(s);
    double[] values = new double[nodes.size()];
    boolean[] imputed = new boolean[nodes.size()];
    for (int j = 0; j < nodes.size(); j++) {
      GridState.Cell c = cells == null ? null : cells[j];
      if (c == null || c.count == 0) {
        values[j] = st.lastValues[j];
        imputed[j] = true;
      } else {
        values[j] = aggregate(nodes.get(j).aggregation(), c);
        st.lastValues[j] = values[j];
      }
    }
    GridRow row = new GridRow(s, values, imputed);
    boolean running = m.running();
    if (!running) {
      long time = s * stepMillis(def);
      row =
          health.onRowClosed(
              def,
              m.health(),
              rowReader,
              row,
              r -> {
                context.forward(
                    new Record<>(r.keyBytes(), new Output(settings.healthTopic(), r.json()), time));
                listener.health(def.name(), r.node(), r.rSquared(), r.sigma(), r.coverage());
              });
    }
    storeRow(def.name(), row);
    st.lastClosedStep = s;
    listener.rowClosed(def.name(), s * stepMillis(def));
    long keep = keep(def);
    long leaving = s - keep;
    if (leaving >= 0 && RowChunk.indexOf(leaving + 1) != RowChunk.indexOf(leaving)) {
      // the chunk's last row is no longer kept; put(key, null) deletes without reading the old
      // value back, as delete(key) does
      rows.put(RowChunk.key(def.name(), RowChunk.indexOf(leaving)), null);
    }
    if (running) {
      MonitorState ivs = m.state();
      for (MonitorState.Active iv : new ArrayList<>(ivs.interventions.values())) {
        advance(def, ivs, iv, s);
      }
    }
  }

  /** Writes a closed row into its chunk, the monitor's newest. */
  private void storeRow(String monitor, GridRow row) {
    long index = RowChunk.indexOf(row.step());
    Held h = held.get(monitor);
    RowChunk chunk = h.chunk;
    if (chunk == null || chunk.index != index) {
      // a chunk after the newest is not stored yet: only a chunk not held is read
      chunk =
          chunk != null && index > chunk.index ? null : rows.get(RowChunk.key(monitor, index));
      chunk = chunk != null ? chunk : new RowChunk(index);
      h.chunk = chunk;
    }
    chunk.put(row);
    rows.put(RowChunk.key(monitor, index), chunk);
  }

  /** The stored row of step {@code s}, from the newest chunk in memory if it holds it. */
  private GridRow storedRow(String monitor, long s) {
    Held h = held.get(monitor);
    RowChunk chunk = h == null ? null : h.chunk;
    if (chunk != null && chunk.index == RowChunk.indexOf(s)) {
      return chunk.get(s);
    }
    return StoredRows.row(rows, monitor, s);
  }

  /**
   * Rows kept per monitor (and up to a chunk more): what a running analysis is set up again from (its pre-period and
   * post-period, persistence rows included) and what model health is rebuilt from.
   */
  private long keep(MonitorDefinition def) {
    long post = (long) settings.maxPostRows() + settings.persistenceRows();
    return Math.max(def.preWindow() + post, health.rowsNeeded(def, post)) + 1;
  }

  private static double aggregate(Aggregation a, GridState.Cell c) {
    return switch (a) {
      case SUM -> c.sum;
      case MEAN -> c.sum / c.count;
      case LAST -> c.last;
    };
  }

  /**
   * Emits what row {@code s} means for one intervention: an impact step (while the intervention
   * runs, and through the persistence rows after its end), the summary at its end, and a second
   * summary when the persistence rows are over.
   */
  private void advance(MonitorDefinition def, MonitorState st, MonitorState.Active iv, long s) {
    if (s < iv.startStep || s <= iv.emittedThrough) {
      return;
    }
    boolean reported = iv.reportEndStep == null || s < iv.reportEndStep;
    if (reported && !emitStep(def, st, iv, s)) {
      return;
    }
    if (iv.endStep == null && s - iv.startStep + 1 >= settings.maxPostRows()) {
      iv.endStep = s + 1;
      iv.reportEndStep = s + 1;
    }
    finishIfDue(def, st, iv, s);
  }

  /** The summaries and the move to {@code ended} that row {@code s} being closed makes due. */
  private void finishIfDue(
      MonitorDefinition def, MonitorState st, MonitorState.Active iv, long s) {
    if (iv.endStep == null) {
      return;
    }
    if (!iv.summarized && s >= iv.endStep - 1) {
      iv.summarized = true;
      if (!summarize(def, iv, iv.endStep, "end")) {
        finish(def, st, iv);
        return;
      }
    }
    if (s >= iv.reportEndStep - 1) {
      if (iv.reportEndStep > iv.endStep) {
        summarize(def, iv, iv.reportEndStep, "persistence-end");
      }
      finish(def, st, iv);
    }
  }

  private void finish(MonitorDefinition def, MonitorState st, MonitorState.Active iv) {
    live.remove(def.name() + "/" + iv.id);
    st.interventions.remove(iv.id);
    st.ended.put(iv.id, iv);
    listener.interventionEnded(def.name(), iv.id);
  }

  private void onStart(Monitor m, Envelope e) {
    MonitorDefinition def = m.def;
    MonitorState st = m.state();
    if (st.interventions.containsKey(e.id()) || st.ended.containsKey(e.id())) {
      dead(
          "duplicate-start",
          "intervention '" + e.id() + "' of monitor '" + def.name() + "' was already started",
          e.source(), def.name());
      return;
    }
    MonitorState.Active iv = new MonitorState.Active();
    iv.id = e.id();
    iv.startStep = Math.floorDiv(e.timestamp(), stepMillis(def));
    iv.actions = new LinkedHashMap<>(e.actions());
    iv.outcomes = new ArrayList<>(e.outcomes());
    iv.source = e.source();
    st.interventions.put(iv.id, iv);
    long lastClosed = m.grid.lastClosedStep;
    if (lastClosed != GridState.NONE) {
      for (long s = iv.startStep; s <= lastClosed && st.interventions.containsKey(iv.id); s++) {
        advance(def, st, iv, s);
      }
    }
  }

  private void onEnd(Monitor m, Envelope e) {
    MonitorDefinition def = m.def;
    MonitorState st = m.state();
    MonitorState.Active iv = st.interventions.get(e.id());
    if (iv == null) {
      dead(
          st.ended.containsKey(e.id()) ? "already-ended" : "end-without-start",
          "intervention '" + e.id() + "' of monitor '" + def.name() + "' is not running",
          e.source(), def.name());
      return;
    }
    long stepMs = stepMillis(def);
    long end = Math.floorDiv(e.timestamp() + stepMs - 1, stepMs);
    if (end <= iv.startStep) {
      dead(
          "invalid-intervention",
          "intervention '" + e.id() + "' ends at " + Instant.ofEpochMilli(e.timestamp())
              + ", before its first step",
          e.source(), def.name());
      return;
    }
    if (iv.endStep != null) {
      dead(
          "already-ended",
          "intervention '" + e.id() + "' already has an end",
          e.source(),
          def.name());
      return;
    }
    iv.endStep = end;
    iv.reportEndStep = end + settings.persistenceRows();
    if (m.grid.lastClosedStep != GridState.NONE) {
      finishIfDue(def, st, iv, m.grid.lastClosedStep);
    }
  }

  private boolean emitStep(MonitorDefinition def, MonitorState st, MonitorState.Active iv, long s) {
    List<StreamingAnalysis.OutcomeStep> steps;
    GridRow row = storedRow(def.name(), s);
    long began = System.nanoTime();
    try {
      steps = step(def, iv, s, row);
    } catch (RuntimeException ex) {
      dead("analysis-failed", analysisFailure(ex), iv.source, def.name());
      finish(def, st, iv);
      return false;
    }
    listener.analysisTime(def.name(), System.nanoTime() - began);
    long time = s * stepMillis(def);
    String phase = iv.endStep == null || s < iv.endStep ? "active" : "after-end";
    for (StreamingAnalysis.OutcomeStep o : steps) {
      StepImpact step = o.impact();
      ObjectNode n = Json.MAPPER.createObjectNode();
      n.put("schema", JsonReport.SCHEMA);
      n.put("monitor", def.name());
      n.put("intervention", iv.id);
      n.put("node", o.node());
      n.put("timestamp", Instant.ofEpochMilli(time).toString());
      n.put("phase", phase);
      n.put("level", def.intervals().level());
      n.put(
          "imputed",
          row != null && row.imputed()[def.graph().indexOf(o.node())]);
      n.setAll(JsonReport.step(step));
      ObjectNode p = n.putObject("pValue");
      p.put("bootstrap", o.pValueBootstrap());
      if (o.pValueConformal() == null) {
        p.putNull("conformal");
      } else {
        p.put("conformal", o.pValueConformal());
      }
      emit(
          settings.impactTopic(),
          def.name() + "/" + iv.id + "/" + o.node(),
          n,
          time);
      listener.impact(def.name(), iv.id, o);
    }
    iv.emittedThrough = s;
    return true;
  }

  /**
   * Emits the summary of rows {@code [startStep, until)} to the summary topic.
   *
   * @param phase {@code end} (the intervention's own period) or {@code persistence-end} (through
   *     the persistence rows)
   * @return false if the analysis failed (a dead letter says why)
   */
  private boolean summarize(MonitorDefinition def, MonitorState.Active iv, long until, String phase) {
    long last = until - 1;
    try {
      StoredRows.Slice slice = StoredRows.slice(rows, def, iv, last);
      ImpactAnalysis a = StoredRows.analyze(def, iv, slice);
      ObjectNode n = JsonReport.tree(a, slice.table());
      n.put("phase", phase);
      n.put("endTimestamp", Instant.ofEpochMilli(iv.endStep * stepMillis(def)).toString());
      if (until > iv.endStep) {
        n.put("reportedUntil", Instant.ofEpochMilli(until * stepMillis(def)).toString());
      }
      emit(settings.summaryTopic(), def.name() + "/" + iv.id, n, last * stepMillis(def));
      return true;
    } catch (RuntimeException ex) {
      dead("analysis-failed", analysisFailure(ex), iv.source, def.name());
      return false;
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

  /**
   * Row {@code s} of an intervention, by its incremental analysis: kept in memory while the
   * intervention runs and advanced one row per closed row; set up again from the stored rows
   * (and advanced through the rows already reported) when it is not in memory or not at row
   * {@code s} (after a restart, a rebalance or a replay), so it always equals the batch analysis
   * of the stored rows through {@code s}.
   */
  private List<StreamingAnalysis.OutcomeStep> step(
      MonitorDefinition def, MonitorState.Active iv, long s, GridRow row) {
    String key = def.name() + "/" + iv.id;
    StreamingAnalysis a = live.get(key);
    int h = (int) (s - iv.startStep);
    if (a == null || a.steps() != h) {
      live.remove(key);
      StoredRows.Slice slice = StoredRows.slice(rows, def, iv, s);
      a = StoredRows.streaming(def, iv, slice, settings.maxPostRows() + settings.persistenceRows());
      TimeSeriesTable t = slice.table();
      for (int r = slice.startRow(); r < slice.startRow() + h; r++) {
        a.advance(columnValues(t, r), t.label(r));
      }
      live.put(key, a);
    }
    if (iv.endStep != null) {
      int end = a.startRow() + (int) (iv.endStep - iv.startStep);
      if (a.actionEnd() != end) {
        a.endActionsAt(end);
      }
    }
    return a.advance(row.values(), Instant.ofEpochMilli(s * stepMillis(def)).toString());
  }

  private static double[] columnValues(TimeSeriesTable t, int r) {
    double[] v = new double[t.columns().size()];
    for (int j = 0; j < v.length; j++) {
      v[j] = t.values()[j][r];
    }
    return v;
  }

  @Override
  public void close() {
    live.clear();
    held.clear();
  }

  private void emit(String topic, String key, ObjectNode value, long timestamp) {
    byte[] bytes;
    try {
      bytes = Json.MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot write an output record", ex);
    }
    emitBytes(topic, key, bytes, timestamp);
  }

  private void emitBytes(String topic, String key, byte[] bytes, long timestamp) {
    context.forward(
        new Record<>(key.getBytes(StandardCharsets.UTF_8), new Output(topic, bytes), timestamp));
  }

  private void dead(String reason, String message, Source source, String monitor) {
    DeadLetter d = new DeadLetter(reason, message, source);
    listener.deadLetter(source.topic(), reason, monitor);
    context.forward(
        new Record<>(
            source.key(),
            new Output(d.topic(), source.value()),
            context.currentStreamTimeMs(),
            d.headers()));
  }
}
