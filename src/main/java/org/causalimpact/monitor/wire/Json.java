package org.causalimpact.monitor.wire;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import org.causalimpact.monitor.scm.DoSpec;

/**
 * The application's one JSON mapper: every record written (impact, summaries, model health, API
 * bodies, input events of the simulator, stored interventions) and every JSON input read goes
 * through it or a reader or writer made from it. Default typing is never enabled, so only declared
 * types are read; numbers are parsed and written by Jackson's fast double routines, which
 * round-trip every double exactly; do-specs are written as the data contract says ({@link
 * DoSpecJson}). Thread-safe once built; never reconfigured.
 */
public final class Json {
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
          .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .addModule(
              new SimpleModule("causal-impact-monitor")
                  .addSerializer(new DoSpecJson.Writer())
                  .addDeserializer(DoSpec.class, new DoSpecJson.Reader()))
          .build();

  private Json() {}
}
