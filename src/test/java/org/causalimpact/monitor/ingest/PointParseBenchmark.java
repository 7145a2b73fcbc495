package org.causalimpact.monitor.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The metric router's reading of one point: {@code tree}, a JSON tree ({@link Inputs#object}:
 * decode to a String, build a tree; then the three field readers), against {@code point}, {@link
 * PointParser#parse} (Jackson's streaming parser, no tree). Points: {@code typical}, as the
 * throughput harness sends them; {@code isoUnicode}, an ISO timestamp and a non-ASCII series name
 * (the UTF-8 check falls back to the decoder); {@code extraField}, a typical point with one more
 * field.
 *
 * <p>Run (after {@code mvn -DskipTests test-compile}; about a minute): {@code java -cp <test
 * classpath> org.openjdk.jmh.Main PointParseBenchmark}, the classpath as {@code
 * src/test/bench/harness.sh} builds it.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class PointParseBenchmark {
  private static final String TYPICAL =
      "{\"series\":\"m12_b\",\"timestamp\":1767225600003,\"value\":101.73268230184355}";

  @Param({"typical", "isoUnicode", "extraField"})
  public String point;

  private byte[] value;

  @Setup
  public void setUp() {
    String json =
        switch (point) {
          case "typical" -> TYPICAL;
          case "isoUnicode" ->
              "{\"series\":\"débit_é\",\"timestamp\":\"2026-01-01T00:00:00.003Z\","
                  + "\"value\":101.73268230184355}";
          default -> TYPICAL.replace("}", ",\"host\":\"a1\"}");
        };
    value = json.getBytes(StandardCharsets.UTF_8);
  }

  @Benchmark
  public Object tree() throws Rejected {
    JsonNode root = Inputs.object(value);
    return new PointParser.Point(
        Inputs.text(root, "series"), Inputs.timestamp(root, "timestamp"),
        Inputs.number(root, "value"));
  }

  @Benchmark
  public Object point() throws Rejected {
    return PointParser.parse(value);
  }
}
