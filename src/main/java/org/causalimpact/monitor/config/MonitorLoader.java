package org.causalimpact.monitor.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.graph.Aggregation;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.GraphException;
import org.causalimpact.monitor.graph.Level;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.graph.Parent;
import org.causalimpact.monitor.graph.Seasonality;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.SimulationSpec;
import org.causalimpact.monitor.scm.TrueEquation;
import org.causalimpact.monitor.uncertainty.IntervalSettings;

/**
 * Loads and validates a monitor definition ({@code config/monitors/NAME.yaml}).
 *
 * <h2>Format</h2>
 *
 * <pre>{@code
 * name: funnel                 # required, [A-Za-z0-9_.-]+
 * step: PT1M                   # grid step: ISO-8601 duration or 30s / 1m / 1h / 1d; default 1m; > 0
 * preWindow: 1440              # rows before an intervention used for fitting; required; >= 10
 * model:                       # defaults for every node (each optional)
 *   ridge: 0.0                 # ridge penalty >= 0; default 0 (ordinary least squares)
 *   ar: 1                      # own lags, 0..50; default 0
 *   lags: 0                    # max lag of parents given by bare name, 0..50; default 0
 *   seasonality: {period: 1440, harmonics: 2}   # omitted or null: none;
 *                                               # period >= 2 steps, 1 <= harmonics <= period/2
 *   trend: false               # linear trend term; default false
 *   aggregation: mean          # sum | mean | last; default mean
 *   level: auto                # the error's stochastic level: auto | none | local | trend;
 *                              # default auto (a level whose drift, possibly none, and AR(1)
 *                              # noise are learned from the pre-period; see graph.Level)
 *   outliers: keep             # pre-period rows over 6 robust sds from their one-step
 *                              # prediction: keep (default; named in a note) | replace (by it)
 * intervals:                   # each optional
 *   level: 0.95                # in (0, 1); default 0.95
 *   bootstrap: {replicates: 1000, blockLength: auto}   # replicates >= 19 (default 1000);
 *                                                      # blockLength auto | 0 (= auto) | n > 0
 *   conformal: {calibrationFraction: 0.5}               # in (0, 1); default 0.5
 * seed: 42                     # seed of every random draw; default 1
 * nodes:                       # required, non-empty list, names [A-Za-z0-9_.-]+
 *   - name: season
 *   - name: ad_spend
 *     parents: [season]                     # bare name: lags 0..model.lags
 *   - name: visits
 *     parents: [{node: ad_spend, lags: 1}]  # explicit max lag, 0..50
 *     ar: 1                                 # per-node overrides of model.*: ar, seasonality
 *                                           # (null disables), trend, aggregation, level
 *     prometheus:                           # optional: the remote-write receiver feeds this node
 *       metric: shop_visits                 # with the samples of the series of this name
 *       labels: {job: shop, page: home}     # that carry these labels (others may be present)
 * simulation:                  # optional: true equations for the simulate command
 *   rows: 600                  # >= 2
 *   equations:                 # exactly one per node
 *     season: {intercept: 10, seasonal: [2.0, 0.0], noise: 0.5}
 *     ad_spend: {intercept: 100, parents: {season: [3.0]}, noise: 5}
 *     visits: {intercept: 50, parents: {ad_spend: [2.0, 0.5]}, ar: [0.3], noise: 10}
 *     # optional per equation: level: 0.05 (standard deviation per step of a random-walk level
 *     # added to the node, default 0), noiseAr: 0.3 (AR(1) coefficient of the noise, default 0)
 * }</pre>
 *
 * <p>An equation's {@code parents} must name exactly the node's parents; each holds the
 * coefficients of lags {@code 0, 1, ...} (a single number means lag 0 only), at most {@code
 * maxLag + 1} of them. {@code ar} holds {@code phi_1, phi_2, ...}, at most the node's ar order.
 * Shorter lists are padded with zeros, so every {@link TrueEquation} of the result has full-length
 * lists. {@code seasonal} holds {@code a_1, b_1, a_2, b_2, ...} (sine, cosine), exactly {@code
 * 2 * harmonics} when the node has seasonality and nothing otherwise; {@code trend} (slope per
 * step, default 0) is the coefficient of the node's trend term, or, for a node without one, a trend
 * in the data that the model does not fit; {@code intercept} defaults to 0; {@code noise}
 * (standard deviation, >= 0) is required.
 *
 * <h2>Errors</h2>
 *
 * <p>Every problem is an {@link InputException} (a {@link GraphException} for the graph) whose
 * message starts with the file name, names the field and the bad value and says how to fix it,
 * e.g. {@code funnel.yaml: nodes[2] 'visits': ar must be an integer between 0 and 50, got -1}.
 * Unknown fields are errors, so a typo is never silently ignored; so are keys given twice, NaN and
 * infinite numbers ({@code .nan}, {@code .inf}), decimals where an integer is expected, and
 * invalid YAML (reported with line and column).
 *
 * <p>Stateless and thread-safe.
 */
public final class MonitorLoader {
  /** Largest own or parent lag a node may declare. */
  public static final int MAX_LAG = 50;

  /** Smallest pre-intervention window that can fit a model and calibrate intervals. */
  public static final int MIN_PRE_WINDOW = 10;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})\\s*([smhd])");
  private static final Duration DEFAULT_STEP = Duration.ofMinutes(1);
  private static final long DEFAULT_SEED = 1L;

  private static final String[] TOP_FIELDS = {
    "name", "step", "preWindow", "model", "intervals", "seed", "nodes", "simulation"
  };
  private static final String[] MODEL_FIELDS = {
    "ridge", "ar", "lags", "seasonality", "trend", "aggregation", "level", "outliers"
  };
  private static final String[] NODE_FIELDS = {
    "name", "parents", "ar", "seasonality", "trend", "aggregation", "level", "prometheus"
  };

  private MonitorLoader() {}

  /**
   * Reads and validates the monitor file {@code file} (UTF-8).
   *
   * @throws InputException if the file is missing or unreadable, or its content is invalid (see
   *     {@link #parse(String, String)}); the message starts with {@code file}
   */
  public static MonitorDefinition load(Path file) {
    if (!Files.exists(file)) {
      throw new InputException(
          "monitor file "
              + file
              + " not found: check the path (monitor definitions live in"
              + " config/monitors/NAME.yaml)");
    }
    if (Files.isDirectory(file)) {
      throw new InputException(
          "monitor file " + file + " is a directory: give the path of a .yaml file in it");
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw new InputException(file + ": not UTF-8 text; save the monitor file as UTF-8");
    } catch (IOException e) {
      throw new InputException(file + ": cannot read monitor file: " + e);
    }
    return parse(text, file.toString());
  }

  /**
   * Parses and validates a monitor definition.
   *
   * @param yaml the YAML text, in the format described on this class
   * @param sourceName the name that starts every error message, usually the file's path
   * @throws InputException with a message starting with {@code sourceName} on any problem
   */
  public static MonitorDefinition parse(String yaml, String sourceName) {
    JsonNode root = YamlTree.read(yaml, sourceName);
    if (root == null || root.isNull()) {
      throw new InputException(
          sourceName
              + ": the monitor file is empty; it needs at least 'name', 'preWindow' and 'nodes'");
    }
    if (!root.isObject()) {
      throw new InputException(
          sourceName
              + ": a monitor file must be a mapping of 'key: value' lines (name, preWindow,"
              + " nodes, ...), got "
              + YamlMap.describe(root));
    }
    YamlMap top = YamlMap.root(sourceName, root).allowOnly(TOP_FIELDS);

    String name = name(top, top.require("name", "give the monitor a name, e.g. 'name: funnel'"),
        "name");
    Duration step = step(top);
    int preWindow =
        top.requiredInteger(
            "preWindow",
            MIN_PRE_WINDOW,
            Integer.MAX_VALUE,
            "give the number of rows before an intervention used for fitting, e.g."
                + " 'preWindow: 1440'");
    ModelDefaults defaults = modelDefaults(top.optionalMapping("model"));
    long seed = top.longInteger("seed", DEFAULT_SEED);
    IntervalSettings intervals = IntervalsSection.parse(top.optionalMapping("intervals"), seed);
    Map<String, PrometheusSelector> prometheus = new LinkedHashMap<>();
    CausalGraph graph = graph(top, defaults, prometheus);
    YamlMap sim = top.optionalMapping("simulation");
    SimulationSpec simulation = sim == null ? null : SimulationLoader.simulation(sim, graph);
    return new MonitorDefinition(
        name, step, preWindow, graph, defaults.fit(), intervals, simulation, prometheus);
  }

  /** The per-node defaults of the {@code model} block. */
  private record ModelDefaults(
      FitOptions fit,
      int ar,
      int lags,
      Seasonality seasonality,
      boolean trend,
      Aggregation aggregation,
      Level level) {}

  private static String name(YamlMap in, JsonNode value, String label) {
    String name = in.string(value, label);
    if (!NAME.matcher(name).matches()) {
      throw in.fail(
          label,
          "must use only letters, digits, '_', '.' and '-' (names become Kafka keys and metric"
              + " tags), got '"
              + name
              + "'");
    }
    return name;
  }

  private static Duration step(YamlMap top) {
    JsonNode v = top.get("step");
    if (v == null) {
      return DEFAULT_STEP;
    }
    String hint = "must be a positive duration such as 30s, 1m, 1h, 1d or ISO-8601 PT1M, got ";
    if (!v.isTextual()) {
      throw top.fail("step", hint + YamlMap.describe(v) + " (give a unit)");
    }
    String text = v.textValue().strip();
    Duration step;
    Matcher m = SHORT_DURATION.matcher(text);
    if (m.matches()) {
      long amount = Long.parseLong(m.group(1));
      step =
          switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
          };
    } else {
      try {
        step = Duration.parse(text);
      } catch (DateTimeParseException e) {
        throw top.fail("step", hint + YamlMap.describe(v));
      }
    }
    if (step.isNegative() || step.isZero()) {
      throw top.fail("step", hint + YamlMap.describe(v));
    }
    return step;
  }

  private static ModelDefaults modelDefaults(YamlMap model) {
    if (model == null) {
      return new ModelDefaults(FitOptions.ols(), 0, 0, null, false, Aggregation.MEAN, Level.AUTO);
    }
    model.allowOnly(MODEL_FIELDS);
    double ridge = model.number("ridge", 0);
    boolean replace = replaceOutliers(model);
    FitOptions fit = model.build("ridge", () -> new FitOptions(ridge, replace));
    int ar = model.integer("ar", 0, 0, MAX_LAG);
    int lags = model.integer("lags", 0, 0, MAX_LAG);
    Seasonality seasonality =
        model.has("seasonality") ? seasonality(model, model.get("seasonality")) : null;
    boolean trend = model.bool("trend", false);
    Aggregation aggregation = aggregation(model, Aggregation.MEAN);
    Level level = level(model, Level.AUTO);
    return new ModelDefaults(fit, ar, lags, seasonality, trend, aggregation, level);
  }

  private static Seasonality seasonality(YamlMap owner, JsonNode value) {
    YamlMap s = owner.mapping(value, "seasonality").allowOnly("period", "harmonics");
    double period =
        s.requiredNumber("period", "give the season length in steps, e.g. 'period: 1440'");
    int harmonics =
        s.requiredInteger(
            "harmonics",
            1,
            Integer.MAX_VALUE,
            "give the number of sine/cosine pairs, e.g. 'harmonics: 2'");
    return owner.build("seasonality", () -> new Seasonality(period, harmonics));
  }

  private static Aggregation aggregation(YamlMap in, Aggregation fallback) {
    JsonNode v = in.get("aggregation");
    if (v == null) {
      return fallback;
    }
    String text = in.string(v, "aggregation");
    return in.build("aggregation", () -> Aggregation.parse(text));
  }

  private static boolean replaceOutliers(YamlMap model) {
    JsonNode v = model.get("outliers");
    String text = v == null ? "keep" : model.string(v, "outliers");
    String word = text.trim().toLowerCase(Locale.ROOT);
    if (!word.equals("keep") && !word.equals("replace")) {
      throw model.fail("outliers", "must be keep or replace, got '" + text + "'");
    }
    return word.equals("replace");
  }

  private static Level level(YamlMap in, Level fallback) {
    JsonNode v = in.get("level");
    if (v == null) {
      return fallback;
    }
    String text = in.string(v, "level");
    return in.build("level", () -> Level.parse(text));
  }

  /**
   * The graph of the {@code nodes} list; each node's Prometheus selector goes to {@code
   * prometheus}.
   */
  private static CausalGraph graph(
      YamlMap top, ModelDefaults defaults, Map<String, PrometheusSelector> prometheus) {
    List<JsonNode> items =
        top.list(
            top.require(
                "nodes", "list the graph's nodes, e.g. 'nodes: [{name: a}, {name: b, parents: [a]}]'"),
            "nodes");
    if (items.isEmpty()) {
      throw top.fail("nodes", "must list at least one node, e.g. '- name: visits'");
    }
    List<NodeDefinition> nodes = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      String at = "nodes[" + i + "]";
      YamlMap unnamed = top.item(items.get(i), at, at);
      String name =
          name(unnamed, unnamed.require("name", "give every node a name, e.g. 'name: visits'"),
              "name");
      YamlMap node = top.item(items.get(i), at, at + " '" + name + "'");
      nodes.add(node(node.allowOnly(NODE_FIELDS), name, defaults));
      PrometheusSelector selector = PrometheusSection.parse(node);
      if (selector != null) {
        prometheus.put(name, selector);
      }
    }
    try {
      return CausalGraph.of(nodes);
    } catch (GraphException e) {
      throw new GraphException(top.source() + ": " + e.getMessage());
    }
  }

  private static NodeDefinition node(YamlMap node, String name, ModelDefaults defaults) {
    List<JsonNode> given = node.optionalList("parents");
    List<Parent> parents = new ArrayList<>(given.size());
    for (int j = 0; j < given.size(); j++) {
      Parent p = parent(node, "parents[" + j + "]", given.get(j), defaults.lags());
      if (p.node().equals(name)) {
        throw node.fail(
            "parents[" + j + "]",
            "is the node itself: a node cannot cause itself at the same step; remove it and use"
                + " 'ar: N' for dependence on its own past");
      }
      parents.add(p);
    }
    int ar = node.integer("ar", defaults.ar(), 0, MAX_LAG);
    Seasonality seasonality;
    if (!node.present("seasonality")) {
      seasonality = defaults.seasonality();
    } else {
      JsonNode v = node.get("seasonality");
      seasonality = v == null ? null : seasonality(node, v);
    }
    boolean trend = node.bool("trend", defaults.trend());
    Aggregation aggregation = aggregation(node, defaults.aggregation());
    Level level = level(node, defaults.level());
    return node.build(
        "",
        () -> new NodeDefinition(name, parents, ar, seasonality, trend, aggregation, level));
  }

  /** A parent given as a bare name (lags 0..model.lags) or as {@code {node: x, lags: L}}. */
  private static Parent parent(YamlMap node, String label, JsonNode value, int defaultLags) {
    if (value.isTextual()) {
      String name = name(node, value, label);
      return new Parent(name, defaultLags);
    }
    if (!value.isObject()) {
      throw node.fail(
          label,
          "must be a node name or '{node: NAME, lags: L}', got " + YamlMap.describe(value));
    }
    YamlMap p = node.mapping(value, label).allowOnly("node", "lags");
    String name =
        name(p, p.require("node", "name the parent node, e.g. '{node: ad_spend, lags: 1}'"),
            "node");
    int lags = p.integer("lags", defaultLags, 0, MAX_LAG);
    return new Parent(name, lags);
  }
}
