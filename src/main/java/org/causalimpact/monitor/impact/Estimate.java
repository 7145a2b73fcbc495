package org.causalimpact.monitor.impact;

/**
 * A point value with its interval from each route.
 *
 * @param mean the point estimate
 * @param conformal the conformal interval, or {@code null} where the route does not apply
 * @param bootstrap the bootstrap percentile interval, or {@code null} where the route does not
 *     apply
 */
public record Estimate(double mean, Interval conformal, Interval bootstrap) {}
