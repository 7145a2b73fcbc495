package org.causalimpact.monitor.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.util.Map;
import org.causalimpact.monitor.scm.DoSpec;

/**
 * A do-spec as the data contract writes it (DESIGN.md): {@code {"set": c}}, {@code {"shift": d}},
 * {@code {"scale": s}} or {@code {"observed": true}}. The one writer of do-specs (events, the API,
 * stored interventions) and the reader of stored ones; input events are checked field by field by
 * {@code InterventionEvents} instead, which names what is wrong. Registered in {@link Json#MAPPER}.
 */
public final class DoSpecJson {
  private DoSpecJson() {}

  /** The kind word of a do-spec. */
  public static String kind(DoSpec spec) {
    if (spec instanceof DoSpec.Set) {
      return "set";
    } else if (spec instanceof DoSpec.Shift) {
      return "shift";
    } else if (spec instanceof DoSpec.Scale) {
      return "scale";
    }
    return "observed";
  }

  /** The number a do-spec carries; {@code NaN} for {@code observed}, which carries none. */
  public static double amount(DoSpec spec) {
    if (spec instanceof DoSpec.Set s) {
      return s.value();
    } else if (spec instanceof DoSpec.Shift s) {
      return s.delta();
    } else if (spec instanceof DoSpec.Scale s) {
      return s.factor();
    }
    return Double.NaN;
  }

  static final class Writer extends JsonSerializer<DoSpec> {
    @Override
    public void serialize(DoSpec spec, JsonGenerator g, SerializerProvider p) throws IOException {
      g.writeStartObject();
      if (spec instanceof DoSpec.Observed) {
        g.writeBooleanField("observed", true);
      } else {
        g.writeFieldName(kind(spec));
        double amount = amount(spec);
        if (Double.isFinite(amount)) {
          g.writeNumber(amount);
        } else {
          g.writeNull();
        }
      }
      g.writeEndObject();
    }

    @Override
    public Class<DoSpec> handledType() {
      return DoSpec.class;
    }
  }

  static final class Reader extends JsonDeserializer<DoSpec> {
    @Override
    public DoSpec deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonNode n = p.readValueAsTree();
      if (n == null || !n.isObject() || n.size() != 1) {
        throw MismatchedInputException.from(
            p, DoSpec.class, "a do-spec is an object of one field, found " + n);
      }
      Map.Entry<String, JsonNode> e = n.properties().iterator().next();
      double x = e.getValue().asDouble();
      return switch (e.getKey()) {
        case "set" -> new DoSpec.Set(x);
        case "shift" -> new DoSpec.Shift(x);
        case "scale" -> new DoSpec.Scale(x);
        case "observed" -> new DoSpec.Observed();
        default ->
            throw ctxt.weirdKeyException(DoSpec.class, e.getKey(), "not a do-spec kind");
      };
    }
  }
}
