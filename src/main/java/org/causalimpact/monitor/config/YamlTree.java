package org.causalimpact.monitor.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Locale;
import java.util.regex.Pattern;
import org.causalimpact.monitor.InputException;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * Reads one YAML document into a Jackson tree, turning every parser failure into an {@link
 * InputException} that names the source, the line and the column.
 *
 * <p>The tree is built token by token rather than with {@code ObjectMapper.readTree} for three
 * reasons: a key given twice in one mapping is an error here (YAML forbids it; Jackson would keep
 * the last value silently), YAML's {@code .nan} and {@code .inf} become {@code NaN} and infinite
 * numbers that the caller rejects with the field's name (Jackson fails on them with a generic
 * "malformed number"), and a second document after {@code ---} is reported instead of ignored.
 *
 * <p>Stateless and thread-safe.
 */
final class YamlTree {
  private static final YAMLFactory FACTORY = new YAMLFactory();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern NAN = Pattern.compile("\\.(nan|NaN|NAN)");
  private static final Pattern INFINITY = Pattern.compile("([-+]?)\\.(inf|Inf|INF)");

  private YamlTree() {}

  /**
   * Parses {@code yaml}.
   *
   * @return the document's root, or {@code null} when the text holds no document (empty or only
   *     comments)
   * @throws InputException on invalid YAML syntax, a duplicate key or a second document
   */
  static JsonNode read(String yaml, String source) {
    try (JsonParser parser = FACTORY.createParser(yaml)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return null;
      }
      JsonNode root = value(parser, source);
      if (parser.nextToken() != null) {
        throw new InputException(
            source
                + ": "
                + at(parser.currentTokenLocation())
                + ": a second YAML document starts here; a monitor file holds exactly one"
                + " document (remove the '---' separator and what follows, or merge it)");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw syntaxError(yaml, source, e, e.getLocation(), e.getOriginalMessage());
    } catch (YAMLException e) {
      throw syntaxError(yaml, source, e, null, e.getMessage());
    } catch (IOException e) {
      // Reading from a String cannot fail with plain I/O; keep the message path uniform anyway.
      throw new InputException(source + ": cannot read YAML: " + e.getMessage());
    }
  }

  private static JsonNode value(JsonParser parser, String source) throws IOException {
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT:
        return mapping(parser, source);
      case START_ARRAY:
        ArrayNode array = NODES.arrayNode();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          array.add(value(parser, source));
        }
        return array;
      case VALUE_STRING:
        return NODES.textNode(parser.getText());
      case VALUE_NUMBER_INT:
        return integer(parser);
      case VALUE_NUMBER_FLOAT:
        return NODES.numberNode(decimal(parser));
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      case VALUE_NULL:
        return NODES.nullNode();
      default:
        // Embedded binary (!!binary) and other exotic scalars: keep their text, the caller
        // reports the wrong type against the field that holds it.
        return NODES.textNode(parser.getText());
    }
  }

  private static ObjectNode mapping(JsonParser parser, String source) throws IOException {
    ObjectNode object = NODES.objectNode();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      JsonLocation keyAt = parser.currentTokenLocation();
      parser.nextToken();
      JsonNode v = value(parser, source);
      if (object.has(key)) {
        throw new InputException(
            source
                + ": "
                + at(keyAt)
                + ": key '"
                + key
                + "' appears twice in the same mapping; keep one of them");
      }
      object.set(key, v);
    }
    return object;
  }

  private static JsonNode integer(JsonParser parser) throws IOException {
    switch (parser.getNumberType()) {
      case INT:
        return NODES.numberNode(parser.getIntValue());
      case LONG:
        return NODES.numberNode(parser.getLongValue());
      default:
        BigInteger big = parser.getBigIntegerValue();
        return NODES.numberNode(big);
    }
  }

  private static double decimal(JsonParser parser) throws IOException {
    String text = parser.getText().trim();
    if (NAN.matcher(text).matches()) {
      return Double.NaN;
    }
    var inf = INFINITY.matcher(text);
    if (inf.matches()) {
      return "-".equals(inf.group(1)) ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    return parser.getDoubleValue();
  }

  private static InputException syntaxError(
      String yaml, String source, Exception e, JsonLocation fallback, String fallbackMessage) {
    MarkedYAMLException marked = cause(e, MarkedYAMLException.class);
    ReaderException unreadable = cause(e, ReaderException.class);
    StringBuilder m = new StringBuilder(source).append(": invalid YAML");
    if (unreadable != null) {
      // the reader fails before the scanner has a mark; Jackson's location is then its own start
      m.append(" at ").append(at(yaml, unreadable.getPosition())).append(": character ")
          .append(String.format(Locale.ROOT, "U+%04X", unreadable.getCodePoint())).append(": ")
          .append(oneLine(unreadable.getMessage()));
    } else if (marked != null && marked.getProblemMark() != null) {
      m.append(" at ").append(at(marked.getProblemMark())).append(": ");
      m.append(oneLine(marked.getProblem()));
      if (marked.getContext() != null) {
        m.append(" (").append(oneLine(marked.getContext()));
        if (marked.getContextMark() != null) {
          m.append(" that starts at ").append(at(marked.getContextMark()));
        }
        m.append(')');
      }
    } else {
      if (fallback != null && fallback.getLineNr() > 0) {
        m.append(" at ").append(at(fallback));
      }
      m.append(": ").append(oneLine(firstLine(fallbackMessage)));
    }
    m.append("; fix the syntax there (indent with spaces, not tabs; close every quote and bracket;"
        + " put a space after each ':')");
    return new InputException(m.toString());
  }

  private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static String at(JsonLocation location) {
    return "line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  private static String at(Mark mark) {
    return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
  }

  /**
   * Line and column of the code point at {@code position} (0-based, counted in code points as
   * SnakeYAML's reader counts them), with YAML's line breaks: LF, CR LF, CR, NEL, LS and PS.
   */
  private static String at(String text, int position) {
    int line = 1;
    int column = 1;
    int i = 0;
    for (int n = 0; n < position && i < text.length(); n++) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      boolean crlf = c == '\r' && i < text.length() && text.charAt(i) == '\n';
      if (c == '\n' || (c == '\r' && !crlf) || c == 0x85 || c == 0x2028 || c == 0x2029) {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return "line " + line + ", column " + column;
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "unreadable input";
    }
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl);
  }

  private static String oneLine(String text) {
    return text == null ? "" : text.strip().replaceAll("\\s*\\n\\s*", " ");
  }
}
