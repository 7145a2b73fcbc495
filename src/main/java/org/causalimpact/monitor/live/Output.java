package org.causalimpact.monitor.live;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** A record bound for an output topic: its topic and its value bytes as written. */
record Output(String topic, byte[] value) {
  /** Writes the value bytes as they are; outputs are never read back through this serde. */
  static final Serde<Output> SERDE =
      Serdes.serdeFrom(
          (Serializer<Output>) (topic, o) -> o == null ? null : o.value(),
          (Deserializer<Output>)
              (topic, bytes) -> {
                throw new UnsupportedOperationException("outputs are write-only");
              });
}
