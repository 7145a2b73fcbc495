package org.causalimpact.monitor.live;

import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.ingest.Input;

/**
 * The per-monitor step of the topology: hands each input of a monitor to the part that handles it
 * — points to the {@link RowCloser}, intervention events to the {@link InterventionRunner} — and
 * writes the monitor's state back ({@link MonitorStores}). What is held in memory across records
 * is a cache of what is stored, so the processor continues bit for bit after a restart. An input
 * for a monitor that is no longer configured is dead-lettered as {@code unknown-monitor}.
 */
final class MonitorProcessor implements Processor<String, Input, byte[], Output> {
  private final Map<String, MonitorDefinition> monitors;
  private final TopologySettings settings;
  private final StreamListener listener;
  private final OutputGuard guard;
  private Emitter out;
  private MonitorStores stores;
  private InterventionRunner runner;
  private RowCloser rows;

  MonitorProcessor(
      Map<String, MonitorDefinition> monitors,
      TopologySettings settings,
      StreamListener listener,
      OutputGuard guard) {
    this.monitors = monitors;
    this.settings = settings;
    this.listener = listener;
    this.guard = guard;
  }

  @Override
  public void init(ProcessorContext<byte[], Output> context) {
    out = new Emitter(context, listener, guard);
    stores = new MonitorStores(context);
    runner = new InterventionRunner(settings, listener, stores, out);
    rows = new RowCloser(settings, listener, stores, new ModelHealth(settings), runner, out);
  }

  @Override
  public void process(Record<String, Input> record) {
    MonitorDefinition def = monitors.get(record.key());
    Input input = record.value();
    if (input == null) {
      return;
    }
    if (def == null) {
      // routed before its monitor was removed from the configuration (it waited on the
      // repartition topic), or keyed by a monitor's old name
      out.dead(
          "unknown-monitor",
          "no monitor named '" + record.key() + "' (monitors: "
              + String.join(", ", monitors.keySet()) + "); it was removed from the configuration"
              + " after this input was routed to it",
          input.source(),
          null);
      return;
    }
    try {
      MonitorStores.Monitor m = stores.open(def);
      if (input instanceof Input.Point p) {
        rows.onPoint(m, p);
      } else if (input instanceof Input.Start s) {
        runner.onStart(m, s);
      } else if (input instanceof Input.End e) {
        runner.onEnd(m, e);
      }
      m.save();
    } catch (RuntimeException ex) {
      // what is held in memory may be ahead of the store now
      stores.forget(def.name());
      throw ex;
    }
  }

  @Override
  public void close() {
    runner.clear();
    stores.clear();
  }
}
