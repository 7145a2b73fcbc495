package org.causalimpact.monitor.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.xerial.snappy.Snappy;

/**
 * Remote-write 1.0 request bodies built with protobuf's {@link CodedOutputStream} and snappy's
 * block compression, as Prometheus writes them ({@code prompb.WriteRequest}: timeseries = 1,
 * metadata = 3; TimeSeries: labels = 1, samples = 2, exemplars = 3; Label: name = 1, value = 2;
 * Sample: value = 1 (double), timestamp = 2 (int64)).
 */
public final class RemoteWritePayloads {
  private final List<byte[]> series = new ArrayList<>();
  private final List<byte[]> extra = new ArrayList<>();

  /** One series: its labels (the metric name under {@code __name__}) and samples. */
  public RemoteWritePayloads series(Map<String, String> labels, double[] values, long[] times) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, o -> {
      for (Map.Entry<String, String> l : new java.util.TreeMap<>(labels).entrySet()) {
        o.writeByteArray(1, message(m -> {
          m.writeString(1, l.getKey());
          m.writeString(2, l.getValue());
        }));
      }
      for (int i = 0; i < values.length; i++) {
        int k = i;
        o.writeByteArray(2, message(m -> {
          m.writeDouble(1, values[k]);
          m.writeInt64(2, times[k]);
        }));
      }
      // an exemplar, which the receiver skips
      o.writeByteArray(3, message(m -> m.writeDouble(2, 1.5)));
    });
    series.add(out.toByteArray());
    return this;
  }

  /** A {@code MetricMetadata} entry (field 3), which the receiver skips. */
  public RemoteWritePayloads metadata(String metric) {
    extra.add(message(m -> {
      m.writeEnum(1, 1);
      m.writeString(2, metric);
      m.writeString(4, "help text");
    }));
    return this;
  }

  /** The {@code WriteRequest} in protobuf's wire format, uncompressed. */
  public byte[] protobuf() {
    return message(o -> {
      for (byte[] s : series) {
        o.writeByteArray(1, s);
      }
      for (byte[] m : extra) {
        o.writeBytes(3, ByteString.copyFrom(m));
      }
    });
  }

  /** The request body: the {@code WriteRequest} snappy block-compressed. */
  public byte[] body() {
    return snappy(protobuf());
  }

  /** {@code bytes} snappy block-compressed. */
  public static byte[] snappy(byte[] bytes) {
    try {
      return Snappy.compress(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private interface Writer {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(Writer w) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(out, w);
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream bytes, Writer w) {
    try {
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      w.write(out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
