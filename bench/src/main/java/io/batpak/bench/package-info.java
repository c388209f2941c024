/**
 * JMH micro benchmarks. Each class's javadoc holds the command that runs it; results go to {@code
 * docs/performance.md} as ratios against a baseline measured in the same run.
 */
package io.batpak.bench;
