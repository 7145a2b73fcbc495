package org.causalimpact.monitor.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gauges set to a value, as the stream reports one: each holds its value in a box, strongly (a
 * gauge never reads a collected box as NaN), registered on first use. Thread-safe.
 */
final class Gauges {
  private final MeterRegistry registry;
  private final Map<String, Value> values = new ConcurrentHashMap<>();

  /** A gauge's value; the gauge holds it strongly. */
  private static final class Value {
    volatile double v = Double.NaN;

    double get() {
      return v;
    }
  }

  Gauges(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Sets gauge {@code name} with {@code tags} to {@code v}, registering it on first use. */
  void set(String name, String description, String unit, Tags tags, double v) {
    String key = key(name, tags);
    Value box = values.get(key);
    if (box == null) {
      Value fresh = new Value();
      box = values.putIfAbsent(key, fresh);
      if (box == null) {
        box = fresh;
        Gauge.builder(name, fresh, Value::get)
            .description(description)
            .baseUnit(unit)
            .tags(tags)
            .strongReference(true)
            .register(registry);
      }
    }
    box.v = v;
  }

  /** Forgets the box of a gauge removed from the registry. */
  void forget(String name, Tags tags) {
    values.remove(key(name, tags));
  }

  private static String key(String name, Tags tags) {
    return name + tags;
  }
}
