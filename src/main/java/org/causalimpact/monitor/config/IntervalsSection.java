package org.causalimpact.monitor.config;

import com.fasterxml.jackson.databind.JsonNode;
import org.causalimpact.monitor.uncertainty.IntervalSettings;

/** The {@code intervals} block of a monitor file ({@link MonitorLoader} documents its format). */
final class IntervalsSection {
  private IntervalsSection() {}

  /** The {@code intervals} block, or the defaults with {@code seed} when it is absent. */
  static IntervalSettings parse(YamlMap iv, long seed) {
    IntervalSettings defaults = IntervalSettings.defaults().withSeed(seed);
    if (iv == null) {
      return defaults;
    }
    iv.allowOnly("level", "bootstrap", "conformal");
    double level = iv.number("level", defaults.level());
    IntervalSettings withLevel = iv.build("level", () -> defaults.withLevel(level));

    IntervalSettings withBootstrap = withLevel;
    YamlMap bootstrap = iv.optionalMapping("bootstrap");
    if (bootstrap != null) {
      bootstrap.allowOnly("replicates", "blockLength");
      int replicates = bootstrap.integer("replicates", withLevel.replicates(), 0, Integer.MAX_VALUE);
      int blockLength = blockLength(bootstrap);
      IntervalSettings r =
          bootstrap.build("replicates", () -> withLevel.withReplicates(replicates));
      withBootstrap = bootstrap.build("blockLength", () -> r.withBlockLength(blockLength));
    }

    YamlMap conformal = iv.optionalMapping("conformal");
    if (conformal == null) {
      return withBootstrap;
    }
    conformal.allowOnly("calibrationFraction");
    double fraction = conformal.number("calibrationFraction", withBootstrap.calibrationFraction());
    IntervalSettings base = withBootstrap;
    return conformal.build("calibrationFraction", () -> base.withCalibrationFraction(fraction));
  }

  /** {@code auto} (or 0) picks the block length from the data; otherwise a positive integer. */
  private static int blockLength(YamlMap bootstrap) {
    JsonNode v = bootstrap.get("blockLength");
    if (v == null) {
      return 0;
    }
    if (v.isTextual() && "auto".equalsIgnoreCase(v.textValue().strip())) {
      return 0;
    }
    if (!v.isNumber()) {
      throw bootstrap.fail(
          "blockLength", "must be 'auto' or an integer >= 0, got " + YamlMap.describe(v));
    }
    return bootstrap.integer(v, "blockLength", 0, Integer.MAX_VALUE);
  }
}
