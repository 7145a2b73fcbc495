package org.causalimpact.monitor.scm;

/**
 * What an intervention does to one node (graph surgery: the node's own equation is replaced and
 * its parents no longer matter). "Natural" means the node's value in the world without the
 * intervention, i.e. its counterfactual.
 */
public sealed interface DoSpec {

  /** The intervened value at one step given the natural and the observed value. */
  double apply(double natural, double observed);

  /** {@code X := c}. */
  record Set(double value) implements DoSpec {
    public Set {
      requireFinite("set", value);
    }

    @Override
    public double apply(double natural, double observed) {
      return value;
    }
  }

  /** {@code X := natural X + d}. */
  record Shift(double delta) implements DoSpec {
    public Shift {
      requireFinite("shift", delta);
    }

    @Override
    public double apply(double natural, double observed) {
      return natural + delta;
    }
  }

  /** {@code X := natural X * s}. */
  record Scale(double factor) implements DoSpec {
    public Scale {
      requireFinite("scale", factor);
    }

    @Override
    public double apply(double natural, double observed) {
      return natural * factor;
    }
  }

  /** {@code X := observed X}: the intervention is a measured change of X. */
  record Observed() implements DoSpec {
    @Override
    public double apply(double natural, double observed) {
      return observed;
    }
  }

  private static void requireFinite(String kind, double v) {
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException("do-spec '" + kind + "' needs a finite number, got " + v);
    }
  }
}
